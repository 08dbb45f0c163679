"""The load generator measures what happened, and says so loudly when nothing succeeded."""

from __future__ import annotations

import json
import random
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from bench.loadgen import NothingMeasured, Tally, schedule, summarize
from bench.scenarios import falls_behind, saturation
from bench.servers import ROOT


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as uvicorn answers
    seen: list[tuple[str, str, bytes]] = []

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length)
        Handler.seen.append((self.command, self.headers.get("Authorization", ""), body))
        status = 503 if self.path.startswith("/down") else (201 if self.command == "POST" else 200)
        payload = b'{"ok": true}'
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_GET = do_POST = _answer

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[int]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    Handler.seen.clear()
    yield int(httpd.server_address[1])
    httpd.shutdown()


def run_loadgen(tmp_path: Path, spec: dict) -> tuple[subprocess.CompletedProcess[str], dict]:
    (tmp_path / "spec.json").write_text(json.dumps(spec))
    done = subprocess.run(
        [sys.executable, "-m", "bench.loadgen", "--spec", str(tmp_path / "spec.json"), "--out", str(tmp_path / "o")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    return done, json.loads((tmp_path / "o").read_text())


def test_requests_leave_on_schedule_and_are_all_counted(server, tmp_path):
    spec = {
        "host": "127.0.0.1",
        "port": server,
        "rate": 100,
        "seconds": 1,
        "connections": 8,
        "requests": [
            {"name": "read", "weight": 3, "variants": [{"method": "GET", "path": "/feed", "token": "t1"}]},
            {
                "name": "write",
                "weight": 1,
                "expect": [201],
                "variants": [{"method": "POST", "path": "/posts", "token": "t2", "body": '{"body": "post {n}"}'}],
            },
        ],
    }
    done, result = run_loadgen(tmp_path, spec)
    assert done.returncode == 0, done.stderr
    assert result["sent"] == 100 and result["ok"] == 100 and result["errors"] == 0
    assert result["by_request"]["read"]["ok"] + result["by_request"]["write"]["ok"] == 100
    assert 0 < result["p50_ms"] <= result["p99_ms"] < 1000
    assert result["throughput_rps"] == pytest.approx(100, rel=0.2)
    bodies = {body for method, _auth, body in Handler.seen if method == "POST"}
    assert len(bodies) == result["by_request"]["write"]["sent"]  # {n} made every post unique
    assert {auth for _m, auth, _b in Handler.seen} == {"Bearer t1", "Bearer t2"}


def test_a_scenario_with_no_successful_request_fails_loudly(server, tmp_path):
    spec = {
        "host": "127.0.0.1",
        "port": server,
        "rate": 50,
        "seconds": 0.5,
        "requests": [{"name": "read", "variants": [{"method": "GET", "path": "/down"}]}],
    }
    done, result = run_loadgen(tmp_path, spec)
    assert done.returncode != 0
    assert "no successful request" in done.stderr and "503" in done.stderr
    assert "failed" in result and "p99_ms" not in result


def test_a_refused_connection_is_an_error_not_a_measurement(tmp_path):
    from bench.servers import free_port

    spec = {
        "host": "127.0.0.1",
        "port": free_port(),
        "rate": 20,
        "seconds": 0.5,
        "requests": [{"name": "read", "variants": [{"method": "GET", "path": "/"}]}],
    }
    done, _result = run_loadgen(tmp_path, spec)
    assert done.returncode != 0 and "ConnectionRefusedError" in done.stderr


def test_summaries_refuse_to_report_nothing():
    with pytest.raises(NothingMeasured, match="no successful request"):
        summarize({"read": Tally(errors=3)}, elapsed=1.0, offered_rps=3)
    with pytest.raises(NothingMeasured):
        saturation([])


def test_percentiles_and_throughput_come_from_the_samples():
    tally = Tally(latencies=[i / 1000 for i in range(1, 101)])
    result = summarize({"read": tally}, elapsed=2.0, offered_rps=50)
    assert result["p50_ms"] == pytest.approx(50, abs=1) and result["p99_ms"] == pytest.approx(99, abs=1)
    assert result["throughput_rps"] == 50 and result["error_rate"] == 0


def test_schedules_offer_the_asked_rate():
    assert len(schedule(200, 5, "uniform", random.Random(1))) == 1000
    poisson = schedule(200, 5, "poisson", random.Random(1))
    assert 900 < len(poisson) < 1100 and poisson == sorted(poisson)
    with pytest.raises(ValueError):
        schedule(0, 5, "uniform", random.Random(1))


def test_a_server_falls_behind_when_it_completes_less_than_it_is_offered():
    step = {"offered_rps": 300, "throughput_rps": 250, "error_rate": 0.0, "p99_ms": 80}
    assert falls_behind(step)
    assert not falls_behind({**step, "throughput_rps": 295})
    assert falls_behind({**step, "throughput_rps": 300, "p99_ms": 2500})
    assert saturation([step, {**step, "throughput_rps": 280, "error_rate": 0.2}]) == 250
