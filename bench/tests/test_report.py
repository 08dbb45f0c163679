"""The report states each figure against its target and its same-run references."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest

from bench import run
from bench.report import BLOCK, RESULTS_MD, regenerate_results_md, round_two_table, summary_rows, write_report


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


def test_the_round_two_table_holds_each_figure_to_issue_17s_targets():
    before = sample_report()
    now = sample_report()
    now["scenarios"][0] = curve(
        "create_post", "postgres", step(50, 50, 5, 12), [step(100, 100, 6, 14), step(400, 320, 9, 20)]
    )
    rows = {tuple(cell.strip() for cell in line.split("|")[1:3]): line for line in round_two_table(now, before)[2:]}
    # 320/s against the same run's bare 290/s: both bounds (≥ 300/s and ≥ 0.6x) hold; it was 240/s before.
    assert rows[("create a post, saturation", "postgres")].endswith(
        "| 240/s | 320/s | 1.10x | ≥ 300/s and ≥ 0.6x bare | yes |"
    )
    assert rows[("create a post, p99 at 50/s", "postgres")].endswith("| 40 ms | 12 ms | – | ≤ 15 ms | yes |")
    # Server CPU per request at the 100/s step: 150 % of a core over 100/s is 15 ms, as bare's: 1.00x.
    assert "| 15.0 ms | 1.00x | ≤ 2x bare | yes |" in rows[("server CPU per post, at 100/s", "postgres")]
    assert rows[("feed page, p95 at 150/s", "postgres")].endswith("| 25 ms | – | ≤ 20 ms | **no** |")
    assert rows[("mixed users held", "postgres")].endswith("| 500 users | – | ≥ 1,000 users | **no** |")
    assert rows[("fan-out p99, 1,000 sockets", "postgres")].endswith("| 60.0 ms | 1.20x | ≤ 1.2x bare | yes |")
    # A page curve with no 100/s step: not measured, and no verdict.
    assert rows[("server CPU per page, at 100/s", "postgres")].endswith("| not measured | – | ≤ 2.5x bare | – |")
    # No same-run bare-django-sqlite: a target on the ratio cannot be shown to hold, so it is not met.
    assert rows[("create a post, saturation", "embedded")].endswith("| 90/s | – | ≥ 200/s and ≥ 0.6x bare | **no** |")
    assert "| – | not measured |" in rows[("feed page, saturation", "embedded")]


def test_markdown_and_plot_are_written(tmp_path):
    md, png = write_report(sample_report(), tmp_path / "quick")
    text = md.read_text()
    assert "| create_post | postgres | saturation | 240 req/s | ≥ 250/s and ≥ 0.85 of bare | **no** | 0.83x" in text
    assert "pgbench_insert_post (8 clients) | 4,000 /s" in text
    assert "Bare references: as before issue 17" in text  # a report that does not say which: the old ones
    report = sample_report()
    report["method"]["bare_references"] = "bench.bare_django since issue 17"
    md, _png = write_report(report, tmp_path / "new")
    assert "Bare references: bench.bare_django since issue 17." in md.read_text()
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 10_000


def test_the_embedded_default_gets_no_ratio_against_the_postgresql_reference():
    """No silent fallback: without bare-django-sqlite, the embedded rows get no ratio (not bare-django's)."""
    report = sample_report()
    rows = [r for r in summary_rows(report) if r["config"] == "embedded" and r["scenario"] == "create_post"]
    assert rows and all(r["ratio_reference"] is None for r in rows)
    assert "0.85 of bare" in rows[1]["target"]
    sqlite = curve("create_post", "bare-django-sqlite", step(50, 50, 6, 10), [step(100, 100, 8, 12)])
    report["scenarios"].append(sqlite)
    rows = {
        r["figure"]: r for r in summary_rows(report) if r["config"] == "embedded" and r["scenario"] == "create_post"
    }
    assert rows["p99 at 50/s"]["ratio_reference"] == round(25 / 10, 3)
    assert rows["saturation"]["ratio_reference"] == round(90 / 100, 3)


def test_results_md_tables_are_generated_from_the_committed_json():
    """Every marked table of bench/RESULTS.md is what bench.report writes from bench/results/<stem>.json.

    Fix a failure with `python -m bench.report --results-md` (and commit the JSON the tables come from)."""
    text = RESULTS_MD.read_text()
    blocks = BLOCK.findall(text)
    assert len(blocks) >= 5
    assert text == regenerate_results_md(text), "RESULTS.md disagrees with bench.report: run --results-md"
    # No block left open or misspelt (a marker line that the pattern does not match would be skipped).
    assert len(re.findall(r"^<!-- /?bench\.report", text, re.M)) == 2 * len(blocks)


def test_every_table_in_results_md_is_generated_or_labelled_hand_measured():
    """A table outside a generated block must say so within the few lines before it."""
    text = RESULTS_MD.read_text()
    outside = BLOCK.sub("<!-- generated -->", text).splitlines()
    for number, line in enumerate(outside):
        if line.startswith("|") and (number == 0 or not outside[number - 1].startswith("|")):
            before = " ".join(outside[max(0, number - 8) : number])
            assert "hand-measured, not generated" in before, f"unmarked table in RESULTS.md: {line[:80]}"


def test_results_md_blocks_are_rewritten_and_unknown_kinds_refused(tmp_path):
    (tmp_path / "run.json").write_text(json.dumps(sample_report()))
    text = "prose\n<!-- bench.report: run limits -->\n| stale |\n<!-- /bench.report -->\nmore prose\n"
    new = regenerate_results_md(text, tmp_path)
    assert "| stale |" not in new and "| pgbench_insert_post (8 clients) | 4,000 /s |" in new
    assert new.startswith("prose\n") and new.endswith("<!-- /bench.report -->\nmore prose\n")
    assert regenerate_results_md(new, tmp_path) == new
    with pytest.raises(ValueError, match="unknown table kind"):
        regenerate_results_md(text.replace("run limits", "run nonsense"), tmp_path)


def _repository(path: Path) -> str:
    def git(*args: str) -> str:
        done = subprocess.run(["git", *args], cwd=path, capture_output=True, text=True, check=True)
        return done.stdout.strip()

    git("init", "-q")
    (path / "README.md").write_text("x\n")
    git("add", "README.md")
    git("-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-q", "-m", "x")
    return git("rev-parse", "--short", "HEAD")


def test_a_run_records_its_commit_and_refuses_a_dirty_tree(tmp_path, monkeypatch):
    commit = _repository(tmp_path)
    monkeypatch.setattr(run, "ROOT", tmp_path)
    assert run.git_commit() == commit  # what versions() records as "alveole"

    class Measured(Exception):
        pass

    def versions(*_args: object) -> dict:
        raise Measured  # the run got past the check: stop before measuring anything

    monkeypatch.setattr(run, "versions", versions)
    (tmp_path / "bench" / "results").mkdir(parents=True)
    (tmp_path / "bench" / "results" / "quick.json").write_text("{}")  # results are what a run writes
    with pytest.raises(Measured):
        run.main(["--suite", "quick"])
    (tmp_path / "README.md").write_text("changed\n")
    with pytest.raises(SystemExit, match="uncommitted changes"):
        run.main(["--suite", "quick"])
    with pytest.raises(Measured):
        run.main(["--suite", "quick", "--allow-dirty"])
