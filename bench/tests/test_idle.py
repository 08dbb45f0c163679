"""The idle-sockets benchmark: its arithmetic, its refusal to report nothing, and one small real run."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys

import pytest

from bench.fanout import Setup
from bench.fanout_client import backoff_delay, int_after, post_id_of, with_after
from bench.feed_latency import ROOT
from bench.idle import SocketLog, cpu_percent, cpu_ticks, restart_figures, run_idle, socket_logs, targets_met

# A real /proc/<pid>/stat line, with a command name holding a space and a parenthesis.
STAT = (
    "4242 (python x) y) S 1 4242 4242 0 -1 4194560 12000 0 3 0 "
    "1500 250 0 0 20 0 3 0 123456 987654321 30000 18446744073709551615 1 1 0 0 0 0 0 16781312 2 0 0 0 17 1 0 0"
)


def test_cpu_ticks_are_utime_plus_stime():
    assert cpu_ticks(STAT) == 1500 + 250


def test_cpu_percent_of_one_core():
    # 150 ticks at 100 Hz over 30 s: 1.5 s of CPU, 5 % of a core.
    assert cpu_percent(1000, 1150, 30, clk_tck=100) == pytest.approx(5.0)
    assert cpu_percent(0, 400, 2, clk_tck=100) == pytest.approx(200.0)  # two busy cores
    with pytest.raises(ValueError):
        cpu_percent(0, 1, 0)


def test_catch_up_is_the_slowest_socket_holding_every_post():
    restart = 1000.0
    logs = [
        SocketLog(reconnected=[1002.0], received={7: 990.0, 8: 1003.0, 9: 1004.0}),
        SocketLog(reconnected=[980.0, 1006.5], received={7: 991.0, 8: 1007.0, 9: 1007.0}),  # an older reconnection
    ]
    figures = restart_figures(logs, [7, 8, 9], restart)
    assert figures["restart_all_reconnected_s"] == 6.5
    assert figures["restart_all_caught_up_s"] == 7.0
    assert figures["never_reconnected"] == 0 and figures["lost_after_restart"] == 0


def test_sockets_that_never_came_back_are_counted_not_hidden():
    logs = [
        SocketLog(reconnected=[1001.0], received={7: 990.0, 8: 1002.0}),
        SocketLog(reconnected=[], received={7: 990.0}),
    ]
    figures = restart_figures(logs, [7, 8], 1000.0)
    assert figures["restart_all_reconnected_s"] is None and figures["restart_all_caught_up_s"] is None
    assert figures["never_reconnected"] == 1 and figures["not_caught_up"] == 1
    assert figures["lost_after_restart"] == 1 and figures["lost_per_socket_max"] == 1
    met = targets_met(
        {
            "connected": 2,
            "server_rss_idle_kib_per_socket": 30,
            "server_idle_cpu_pct_of_core": 1,
            **figures,
        }
    )
    assert met == {"sockets": False, "kib_per_socket": True, "idle_cpu_pct_of_core": True, "restart_caught_up_s": False}


def test_an_empty_result_raises():
    with pytest.raises(RuntimeError, match="no socket"):
        restart_figures([], [1], 0.0)
    with pytest.raises(RuntimeError, match="no post reached"):
        restart_figures([SocketLog([5.0], {}), SocketLog([], {})], [1, 2], 0.0)


def test_client_outputs_become_socket_logs():
    output = {"reconnected": [[3.0], []], "socket_received": [{"7": 1.0}, {}]}
    logs = socket_logs([output, output])
    assert len(logs) == 4 and logs[0].received == {7: 1.0} and logs[1].reconnected == []


def test_client_reads_numbers_without_decoding():
    event = '{"kind":"event","org":1,"seq":42,"type":"post.created","audience":"space","data":{"post_id": 17}}'
    assert int_after(event, '"seq":') == 42 and post_id_of(event) == 17
    assert post_id_of('{"kind":"event","seq":43,"type":"comment.created","data":{"post_id":17}}') is None
    assert with_after("ws://h/ws", 42) == "ws://h/ws?after=42" and with_after("ws://h/ws", None) == "ws://h/ws"
    assert all(0.5 <= backoff_delay(n, 1, 8) <= 8 for n in range(1, 10))
    assert backoff_delay(10, 1, 8) >= 4  # capped, never beyond


def test_client_without_the_new_flags_writes_the_old_format(tmp_path):
    # Nothing listens on this port: every socket fails, and the output keeps only the original keys.
    out = tmp_path / "out.json"
    command = [sys.executable, "-m", "bench.fanout_client", "--url", "ws://127.0.0.1:9/ws", "--sockets", "2"]
    command += ["--out", str(out), "--max-seconds", "0.1"]
    completed = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=30, check=True)
    assert completed.stdout.split() == ["READY", "0", "2"]
    assert json.loads(out.read_text()) == {"connected": 0, "failed": 2, "received": {}}


def test_a_restart_under_twenty_sockets_loses_nothing(tmp_path):
    args = argparse.Namespace(database_url="", redis_url="")
    setup = Setup("embedded", args, tmp_path)
    setup.env.pop("DJANGO_SETTINGS_MODULE", None)  # pytest-django's test settings are not the server's
    setup.start()
    try:
        result = run_idle(
            setup, 20, idle_seconds=0.5, per_client=10, workdir=tmp_path, posts_after=2, deadline_s=30,
            reconnect_spread=0.5, poll=0.2, ping_interval=0.5,
        )  # fmt: skip
    finally:
        setup.stop()
    assert result["connected"] == 20 and result["received_before_restart"] == 20
    assert result["never_reconnected"] == 0 and result["lost_after_restart"] == 0
    assert result["posts_after_restart"] == 2 and result["publish_errors"] == 0
    assert 0 < result["restart_all_reconnected_s"] <= result["restart_all_caught_up_s"] < 30
    assert result["server_idle_cpu_pct_of_core"] >= 0 and result["met"]["restart_caught_up_s"]
    assert result["pings_sent"] > 0  # the presence keepalive ran
