"""The benchmark code must not be able to report figures when it measured nothing."""

from __future__ import annotations

import pytest

from bench.feed_latency import database_url_for, percentile, summarize


def test_a_scenario_with_no_successful_request_fails_loudly():
    with pytest.raises(RuntimeError, match="no successful request"):
        summarize([], errors=12)


def test_percentiles_come_from_the_samples():
    samples = [i / 1000 for i in range(1, 101)]  # 1 ms … 100 ms
    figures = summarize(samples, errors=0)
    assert figures["n"] == 100 and figures["p50_ms"] == pytest.approx(50, abs=1)
    assert figures["p95_ms"] == pytest.approx(95, abs=1) and figures["p99_ms"] == pytest.approx(99, abs=1)
    assert percentile([0.5], 99) == 0.5


def test_each_size_gets_its_own_database():
    url = database_url_for("postgres://postgres@127.0.0.1:5432/whatever", 1000)
    assert url == "postgres://postgres@127.0.0.1:5432/alveole_bench_1000"
