"""The report states each figure against its target and its same-run references."""

from __future__ import annotations

from bench.report import summary_rows, write_report


def step(offered: float, done: float, p95: float, p99: float, **extra: float) -> dict:
    return {
        "offered_rps": offered,
        "throughput_rps": done,
        "p50_ms": p95 / 2,
        "p95_ms": p95,
        "p99_ms": p99,
        "mean_ms": p95 / 2,
        "error_rate": 0.0,
        "server_cpu_pct_of_core": 150.0,
        "server_rss_peak_mib": 300.0,
        "generator_lateness_p99_ms": 1.0,
        **extra,
    }


def curve(scenario: str, config: str, at: dict, steps: list[dict]) -> dict:
    return {
        "scenario": scenario,
        "config": config,
        "at_target": at,
        "steps": [at, *steps],
        "saturation_rps": max(s["throughput_rps"] for s in steps),
    }


def sample_report() -> dict:
    return {
        "suite": "quick",
        "started_at": "2026-11-27T10:00:00+00:00",
        "duration_s": 500,
        "machine": {"cpus": 2, "cpu_model": "test CPU", "memory_gib": 24, "platform": "Linux", "python": "3.11"},
        "versions": {"alveole": "abc123", "django": "5.2"},
        "dataset": {"posts": 10000, "users": 500, "spaces": 50, "load_space_members": 50},
        "method": {"http": "open loop", "costs": "from /proc", "machine": "shared cores"},
        "limits": {
            "pgbench_select_only": {"tps": 6000.0, "clients": 8},
            "pgbench_insert_post": {"tps": 4000.0, "clients": 8},
            "redis_publish": {"rps": 100000.0, "clients": 20},
        },
        "scenarios": [
            curve("create_post", "postgres", step(50, 50, 20, 40), [step(100, 100, 30, 60), step(300, 240, 90, 900)]),
            curve("create_post", "bare-django", step(50, 50, 10, 20), [step(100, 100, 15, 30), step(300, 290, 50, 90)]),
            curve("feed_read", "postgres", step(150, 150, 25, 45), [step(200, 200, 30, 60), step(400, 330, 80, 400)]),
            curve("feed_read", "bare-django", step(150, 150, 9, 20), [step(400, 380, 40, 80)]),
            curve("create_post", "embedded", step(50, 50, 12, 25), [step(100, 90, 30, 60)]),
            {**curve("search", "embedded", step(10, 10, 30, 45), [step(20, 19, 60, 90)]), "target_rate": 10},
            {**curve("search", "postgres", step(20, 20, 40, 70), [step(100, 95, 45, 80)]), "target_rate": 20},
            {
                "scenario": "fanout",
                "config": "postgres",
                "sockets": 1000,
                "connected": 1000,
                "posts": 100,
                "lost": 0,
                "rate": 10,
                "last_recipient_p50_ms": 30.0,
                "last_recipient_p99_ms": 60.0,
            },
            {
                "scenario": "fanout",
                "config": "bare",
                "sockets": 1000,
                "connected": 1000,
                "posts": 100,
                "lost": 0,
                "rate": 10,
                "last_recipient_p50_ms": 25.0,
                "last_recipient_p99_ms": 50.0,
            },
            {
                "scenario": "idle_sockets",
                "config": "postgres",
                "sockets": 2000,
                "connected": 2000,
                "server_rss_idle_kib_per_socket": 31.0,
                "server_idle_cpu_pct_of_core": 2.0,
                "restart_all_caught_up_s": 12.5,
            },
            {
                "scenario": "mixed_users",
                "config": "postgres",
                "users_held": 500,
                "steps": [
                    step(40, 40, 20, 60, users=250),
                    step(85, 85, 30, 90, users=500),
                    step(170, 150, 300, 3000, users=1000),
                ],
            },
        ],
    }


def test_rows_compare_to_targets_and_references():
    rows = {(r["scenario"], r["config"], r["figure"]): r for r in summary_rows(sample_report())}
    create = rows[("create_post", "postgres", "saturation")]
    assert create["value"] == 240 and create["ratio_reference"] == round(240 / 290, 3)
    assert create["met"] is False  # 240 < 250 and 0.83 of the bare endpoint
    assert create["ratio_limit"] == round(240 / 4000, 3)
    assert rows[("create_post", "postgres", "p99 at 50/s")]["met"] is True
    feed = rows[("feed_read", "postgres", "saturation")]
    assert feed["met"] is True and feed["ratio_limit"] == round(330 / 6000, 3)
    assert rows[("feed_read", "postgres", "p95 at 150/s")]["ratio_reference"] == round(25 / 9, 3)
    fanout = rows[("fanout", "postgres (1,000 sockets)", "last recipient p99")]
    assert fanout["ratio_reference"] == 1.2 and fanout["met"] is False  # 60 ms > 50 ms
    assert fanout["ratio_limit"] is None  # not measured: never shown as if it were
    # No silent fallback: without bare-django-sqlite in the run, the embedded default gets no ratio.
    assert rows[("create_post", "embedded", "saturation")]["ratio_reference"] is None
    assert rows[("search", "embedded", "p95 at 10/s")]["met"] is True
    assert rows[("search", "embedded", "saturation")]["met"] is None
    assert rows[("search", "postgres", "p95 at 20/s")]["met"] is True
    assert rows[("search", "postgres", "saturation")]["met"] is False  # 95 < 100/s
    idle = rows[("idle_sockets", "postgres (2,000 sockets)", "KiB per socket / idle CPU / catch-up after restart")]
    assert idle["met"] is True
    assert rows[("mixed_users", "postgres", "users held")]["value"] == 500


def test_markdown_and_plot_are_written(tmp_path):
    md, png = write_report(sample_report(), tmp_path / "quick")
    text = md.read_text()
    assert "| create_post | postgres | saturation | 240 req/s | ≥ 250/s and ≥ 0.85 of bare | **no** | 0.83x" in text
    assert "pgbench_insert_post (8 clients) | 4,000 /s" in text
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 10_000
