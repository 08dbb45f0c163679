"""The load scenarios send the product and its bare reference the same work."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from bench.scenarios import POST_BODY, busy, feed_requests, post_requests, settle


def test_the_product_and_the_bare_reference_post_the_same_topic():
    space = {"id": 7, "member_ids": [1, 2], "tokens": ["a", "b"]}
    product = post_requests(space, bare=False)[0]["variants"]
    bare = post_requests(space, bare=True)[0]["variants"]
    product_body = json.loads(product[0]["body"])["body"]
    bare_body = json.loads(bare[0]["body"])["body"]
    assert "#benchmarks" in POST_BODY and product_body.endswith(POST_BODY) and bare_body == POST_BODY
    assert [json.loads(v["body"])["author_id"] for v in bare] == [1, 2]


def test_the_bare_feed_page_is_read_as_the_same_reader():
    readers = [{"user_id": 42, "token": "t", "spaces": [3, 4]}]
    product = [v["path"] for v in feed_requests(readers, bare=False)[0]["variants"]]
    bare = [v["path"] for v in feed_requests(readers, bare=True)[0]["variants"]]
    assert product == ["/api/v1/spaces/3/posts?limit=30", "/api/v1/spaces/4/posts?limit=30"]
    assert bare == ["/spaces/3/posts?viewer=42", "/spaces/4/posts?viewer=42"]


class _Busy:
    """A server stand-in: a /healthz that answers at once, and a process still burning CPU for a while."""

    config = "embedded"

    def __init__(self, port: int, process: subprocess.Popen[bytes]) -> None:
        self.port, self.process = port, process

    def pids(self) -> list[int]:
        return [self.process.pid]


def test_settle_waits_for_the_server_to_stop_working_not_only_for_healthz():
    class Healthz(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Healthz)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    # Two seconds of backlog still being worked off after the load stopped.
    worker = subprocess.Popen([sys.executable, "-c", "import time\nt=time.time()\nwhile time.time()-t<2: pass"])
    try:
        started = time.monotonic()
        waited = settle(_Busy(httpd.server_address[1], worker), timeout=20)  # type: ignore[arg-type]
        assert worker.poll() is not None, "settle returned while the server was still busy"
        assert 1.5 <= waited <= time.monotonic() - started + 0.1
        assert busy([worker.pid], 0.2) == 0  # a process gone counts as idle
    finally:
        worker.kill()
        httpd.shutdown()
