"""Turn a bench.run report into a Markdown table and a PNG plot.

    python -m bench.report bench/results/full.json     # rewrite full.md and full.png
    python -m bench.report --results-md                # rewrite the generated tables of bench/RESULTS.md

The summary holds one row per figure of the performance issue's table: the
measured value, its target, the ratio to the same-run reference (bare Django
endpoint, bare WebSocket relay) and to the machine's own limit (pgbench, Redis
PUBLISH), with the servers' CPU and memory while it was measured.

bench/RESULTS.md holds no hand-copied figure table: each of its tables is either a generated
block, between `<!-- bench.report: <results file stem> <table kind> -->` and `<!-- /bench.report -->`,
that `--results-md` rewrites from bench/results/<stem>.json (TABLES lists the kinds), or labelled
"hand-measured, not generated" with its method. bench/tests/test_report.py fails when a block
disagrees with the committed JSON, or when a table is neither.
"""

from __future__ import annotations

import argparse
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

Row = dict[str, Any]


def _by(report: dict[str, Any], scenario: str) -> list[dict[str, Any]]:
    return [s for s in report["scenarios"] if s["scenario"] == scenario and "scenario_error" not in s]


def _met(met: bool | None) -> str:
    return "–" if met is None else "yes" if met else "**no**"


def _ratio(value: float | None, reference: float | None) -> float | None:
    if value is None or not reference:
        return None
    return round(value / reference, 3)


def _bare_for(config: str, found: dict[str, dict[str, Any]]) -> dict[str, Any] | None:
    if config.startswith("bare"):
        return None
    # No fallback: the embedded default is compared with bare Django on SQLite or with nothing.
    return found.get("bare-django-sqlite" if config == "embedded" else "bare-django")


def summary_rows(report: dict[str, Any]) -> list[Row]:
    limits = report.get("limits", {})
    insert_tps = limits.get("pgbench_insert_post", {}).get("tps")
    select_tps = limits.get("pgbench_select_only", {}).get("tps")
    rows: list[Row] = []
    for scenario, target_rate, latency_key, latency_target, sat_target, limit in (
        ("create_post", 50, "p99_ms", 50.0, 250.0, ("pgbench insert-post TPS", insert_tps)),
        ("feed_read", 150, "p95_ms", 30.0, 300.0, ("pgbench select-only TPS", select_tps)),
        ("search", 20, "p95_ms", 50.0, 100.0, ("pgbench select-only TPS", select_tps)),
    ):
        found = {s["config"]: s for s in _by(report, scenario)}
        for config, result in found.items():
            at = result["at_target"]
            bare = _bare_for(config, found)
            rate = result.get("target_rate", target_rate)
            rows.append(
                {
                    "scenario": scenario,
                    "config": config,
                    "figure": f"{latency_key[:3]} at {rate}/s",
                    "value": at[latency_key],
                    "unit": "ms",
                    "target": f"≤ {latency_target:g} ms",
                    "met": at[latency_key] <= latency_target,
                    "ratio_reference": _ratio(at[latency_key], bare["at_target"][latency_key]) if bare else None,
                    "ratio_limit": None,
                    "cpu": at["server_cpu_pct_of_core"],
                    "rss": at["server_rss_peak_mib"],
                }
            )
            sat = result["saturation_rps"]
            shown = sat if result.get("saturated", True) else f"≥ {sat:,.0f}"
            top = max(result["steps"], key=lambda s: s["throughput_rps"])
            ratio_ref = _ratio(sat, bare["saturation_rps"]) if bare else None
            met: bool | None = sat >= sat_target and (
                ratio_ref is None or scenario != "create_post" or ratio_ref >= 0.85
            )
            target = f"≥ {sat_target:g}/s" + (" and ≥ 0.85 of bare" if scenario == "create_post" else "")
            if scenario == "search" and config == "embedded":
                met, target = None, "none set"  # issue 14 sets the embedded default a latency target only
            rows.append(
                {
                    "scenario": scenario,
                    "config": config,
                    "figure": "saturation",
                    "value": shown,
                    "unit": "req/s",
                    "target": target,
                    "met": met,
                    "ratio_reference": ratio_ref,
                    "ratio_limit": _ratio(sat, limit[1]),
                    "limit_name": limit[0],
                    "cpu": top["server_cpu_pct_of_core"],
                    "rss": top["server_rss_peak_mib"],
                }
            )
    fanouts = _by(report, "fanout")
    bare_relay = {f["sockets"]: f for f in fanouts if f["config"] == "bare"}
    for result in fanouts:
        sockets = result["sockets"]
        target = 50.0 if sockets <= 1000 else 150.0
        ref = bare_relay.get(sockets)
        ratio_ref = _ratio(result["last_recipient_p99_ms"], ref["last_recipient_p99_ms"]) if ref else None
        rows.append(
            {
                "scenario": "fanout",
                "config": f"{result['config']} ({sockets:,} sockets)",
                "figure": "last recipient p99",
                "value": result["last_recipient_p99_ms"],
                "unit": "ms",
                "target": f"≤ {target:g} ms, 0 lost, ≤ 1.5x bare",
                "met": result["last_recipient_p99_ms"] <= target
                and result["lost"] == 0
                and (ratio_ref is None or ratio_ref <= 1.5),
                "ratio_reference": ratio_ref,
                # Deliveries per second over PUBLISH/s would be arithmetic, not a measurement of the machine.
                "ratio_limit": None,
                "lost": result["lost"],
                "cpu": result.get("server_cpu_pct_of_core"),
                "rss": result.get("server_rss_peak_mib"),
            }
        )
    for result in _by(report, "idle_sockets"):
        kib = result["server_rss_idle_kib_per_socket"]
        cpu = result["server_idle_cpu_pct_of_core"]
        caught_up = result.get("restart_all_caught_up_s")
        rows.append(
            {
                "scenario": "idle_sockets",
                "config": f"{result['config']} ({result['connected']:,} sockets)",
                "figure": "KiB per socket / idle CPU / catch-up after restart",
                "value": f"{kib} KiB / {cpu} % / {caught_up if caught_up is not None else 'never'} s",
                "unit": "",
                "target": "≤ 40 KiB, ≤ 10 %, ≤ 60 s",
                "met": kib <= 40 and cpu <= 10 and caught_up is not None and caught_up <= 60,
                "ratio_reference": None,
                "ratio_limit": None,
                "cpu": cpu,
                "rss": None,
            }
        )
    for result in _by(report, "mixed_users"):
        held = result["users_held"]
        at = next((s for s in result["steps"] if s["users"] == held), result["steps"][0])
        rows.append(
            {
                "scenario": "mixed_users",
                "config": result["config"],
                "figure": "users held",
                "value": held,
                "unit": "users",
                "target": "≥ 500",
                "met": held >= 500,
                "ratio_reference": None,
                "ratio_limit": None,
                "cpu": at["server_cpu_pct_of_core"],
                "rss": at["server_rss_peak_mib"],
            }
        )
    return rows


def _fmt(value: Any, digits: int = 1) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:,.{digits}f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


# What bench.bare_django did before issue 17, for the reports that do not say (written before it did).
OLD_BARE_REFERENCES = (
    "as before issue 17 (bare-django and pgbench insert-post wrote a post without its topic or search "
    "entries; bare-django read a page in one query of four columns): a ratio to them flatters the reference"
)


def limits_table(report: dict[str, Any]) -> list[str]:
    lines = ["| reference | figure |", "|---|---|"]
    for name, figure in report.get("limits", {}).items():
        value = figure.get("tps") or figure.get("rps")
        lines.append(f"| {name} ({figure.get('clients', '?')} clients) | {_fmt(value, 0)} /s |")
    return lines


def summary_table(report: dict[str, Any]) -> list[str]:
    lines = [
        "| scenario | configuration | figure | measured | target | met | vs bare reference | vs machine limit "
        "| server CPU (% of a core) | server memory (MiB) |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for row in summary_rows(report):
        # A ratio that rounds to 0.000 is still shown: "–" means that none was measured.
        limit = f"{_fmt(row['ratio_limit'], 3)} of {row['limit_name']}" if row["ratio_limit"] is not None else "–"
        ref = f"{_fmt(row['ratio_reference'], 2)}x" if row.get("ratio_reference") else "–"
        lines.append(
            f"| {row['scenario']} | {row['config']} | {row['figure']} | {_fmt(row['value'])} {row['unit']} "
            f"| {row['target']} | {_met(row['met'])} | {ref} | {limit} "
            f"| {_fmt(row['cpu'], 0)} | {_fmt(row['rss'], 0)} |"
        )
    for failed in [s for s in report["scenarios"] if "scenario_error" in s]:
        lines.append(
            f"| {failed['scenario']} | {failed['config']} | **FAILED** | {failed['scenario_error']} "
            "| | **no** | | | | |"
        )
    return lines


def _step_at(result: dict[str, Any] | None, rate: float) -> dict[str, Any] | None:
    return next((s for s in result["steps"] if s["offered_rps"] == rate), None) if result else None


def configs_table(report: dict[str, Any]) -> list[str]:
    """The PostgreSQL configurations side by side: a process per core (--reuse-port) or uvicorn's --workers."""
    lines = [
        "| configuration | create: saturation | create: p99 at 100/s | feed: saturation | feed: p95 at 150/s "
        "| server memory (MiB) |",
        "|---|---|---|---|---|---|",
    ]
    for config in ("postgres", "postgres-workers"):
        create = next(iter(s for s in _by(report, "create_post") if s["config"] == config), None)
        feed = next(iter(s for s in _by(report, "feed_read") if s["config"] == config), None)
        if create is None and feed is None:
            continue
        create_step, feed_step = _step_at(create, 100), _step_at(feed, 150)
        memory = [s["server_rss_peak_mib"] for r in (create, feed) if r for s in r["steps"]]
        lines.append(
            f"| {config} | {_fmt(create['saturation_rps']) + '/s' if create else '–'} "
            f"| {_fmt(create_step['p99_ms']) + ' ms' if create_step else '–'} "
            f"| {_fmt(feed['saturation_rps']) + '/s' if feed else '–'} "
            f"| {_fmt(feed_step['p95_ms']) + ' ms' if feed_step else '–'} "
            f"| {_fmt(min(memory), 0)}–{_fmt(max(memory), 0)} |"
        )
    return lines


# Issue 17's table: (figure, configuration, target, how to read it from a report). Each reader returns the
# figure and, for the "x bare" targets, the same-run reference it is divided by (None when that did not run).
_BARE_OF = {"postgres": "bare-django", "embedded": "bare-django-sqlite"}


def _curve(report: dict[str, Any], scenario: str, config: str) -> dict[str, Any] | None:
    return next((s for s in _by(report, scenario) if s["config"] == config), None)


def _cpu_ms_per_request(result: dict[str, Any] | None, rate: float = 100) -> float | None:
    """Server CPU per request at the 100/s step (CPU share of a core over completed requests per second)."""
    step = _step_at(result, rate)
    if step is None or not step["throughput_rps"]:
        return None
    return round(step["server_cpu_pct_of_core"] * 10 / step["throughput_rps"], 2)


def _figure(result: dict[str, Any] | None, *keys: str) -> float | None:
    """result[k1][k2]…, or None when the scenario did not run."""
    value: Any = result
    for key in keys:
        if value is None:
            return None
        value = value.get(key)
    return value


def _round_two_cells(report: dict[str, Any], config: str) -> list[tuple[str, str, float | None, float | None]]:
    """(figure, unit, value, same-run bare value) for one configuration."""
    bare = _BARE_OF[config]
    create, feed = _curve(report, "create_post", config), _curve(report, "feed_read", config)
    bare_create, bare_feed = _curve(report, "create_post", bare), _curve(report, "feed_read", bare)
    mixed = _curve(report, "mixed_users", config)
    fanout = {(f["config"], f["sockets"]): f for f in _by(report, "fanout")}
    relay, mine = fanout.get(("bare", 1000)), fanout.get((config, 1000))
    return [
        ("create a post, saturation", "/s", _figure(create, "saturation_rps"), _figure(bare_create, "saturation_rps")),
        ("create a post, p99 at 50/s", "ms", _figure(create, "at_target", "p99_ms"), None),
        ("feed page, saturation", "/s", _figure(feed, "saturation_rps"), _figure(bare_feed, "saturation_rps")),
        ("feed page, p95 at 150/s", "ms", _figure(feed, "at_target", "p95_ms"), None),
        ("mixed users held", "users", _figure(mixed, "users_held"), None),
        ("server CPU per post, at 100/s", "ms", _cpu_ms_per_request(create), _cpu_ms_per_request(bare_create)),
        ("server CPU per page, at 100/s", "ms", _cpu_ms_per_request(feed), _cpu_ms_per_request(bare_feed)),
        (
            "fan-out p99, 1,000 sockets",
            "ms",
            _figure(mine, "last_recipient_p99_ms"),
            _figure(relay, "last_recipient_p99_ms"),
        ),
    ]


# (absolute bound, "at least" or "at most", bound on the ratio to the same-run reference), per configuration.
_POSTGRES_TARGETS: dict[str, tuple[float | None, str, float | None]] = {
    "create a post, saturation": (300, "≥", 0.6),
    "create a post, p99 at 50/s": (15, "≤", None),
    "feed page, saturation": (400, "≥", 0.5),
    "feed page, p95 at 150/s": (20, "≤", None),
    "mixed users held": (1000, "≥", None),
    "server CPU per post, at 100/s": (None, "≤", 2.0),
    "server CPU per page, at 100/s": (None, "≤", 2.5),
    "fan-out p99, 1,000 sockets": (None, "≤", 1.2),
}
ROUND_TWO_TARGETS = {
    "postgres": _POSTGRES_TARGETS,
    # The embedded default is asked for less where one process on one core is the limit.
    "embedded": {
        **_POSTGRES_TARGETS,
        "create a post, saturation": (200, "≥", 0.6),
        "feed page, saturation": (200, "≥", 0.5),
        "feed page, p95 at 150/s": (30, "≤", None),
        "mixed users held": (500, "≥", None),
    },
}


def _round_two_verdict(
    value: float | None, reference: float | None, target: tuple[float | None, str, float | None]
) -> tuple[bool | None, float | None]:
    bound, way, ratio_bound = target
    if value is None:
        return None, None
    ratio = _ratio(value, reference)
    checks = []
    if bound is not None:
        checks.append(value >= bound if way == "≥" else value <= bound)
    if ratio_bound is not None:
        # Without its same-run reference a ratio target is not met: it cannot be shown to be.
        checks.append(ratio is not None and (ratio >= ratio_bound if way == "≥" else ratio <= ratio_bound))
    return all(checks), ratio


def _target_text(target: tuple[float | None, str, float | None], unit: str) -> str:
    bound, way, ratio_bound = target
    parts = [f"{way} {_with_unit(bound, unit)}"] if bound is not None else []
    if ratio_bound is not None:
        parts.append(f"{way} {ratio_bound:g}x bare")
    return " and ".join(parts)


def _with_unit(value: float, unit: str) -> str:
    return f"{_fmt(value)}{unit}" if unit == "/s" else f"{_fmt(value)} {unit}"


def round_two_table(report: dict[str, Any], before: dict[str, Any] | None = None) -> list[str]:
    """Issue 17's figures: this run against its targets, beside the run the issue started from (`before`)."""
    lines = [
        "| figure | configuration | before (2026-11-27) | measured | x same-run bare | target | met |",
        "|---|---|---|---|---|---|---|",
    ]
    for config in ("postgres", "embedded"):
        earlier = {c[0]: c for c in _round_two_cells(before, config)} if before else {}
        for figure, unit, value, reference in _round_two_cells(report, config):
            target = ROUND_TWO_TARGETS[config][figure]
            met, ratio = _round_two_verdict(value, reference, target)
            old = earlier.get(figure)
            shown_before = _with_unit(old[2], unit) if old and old[2] is not None else "–"
            shown = _with_unit(value, unit) if value is not None else "not measured"
            lines.append(
                f"| {figure} | {config} | {shown_before} | {shown} "
                f"| {_fmt(ratio, 2) + 'x' if ratio is not None else '–'} | {_target_text(target, unit)} | {_met(met)} |"
            )
    return lines


def feed_latency_table(report: dict[str, Any]) -> list[str]:
    """bench.feed_latency's output: a feed page's latency at each dataset size, and the p95 ratio."""
    pages = ("home", "space_first_page", "space_second_page")
    lines = [
        "| dataset | home p50 / p95 / p99 | space, first page p50 / p95 / p99 | space, next page p50 / p95 / p99 |",
        "|---|---|---|---|",
    ]
    for run in report["runs"]:
        cells = [
            " / ".join(_fmt(run["results"][page][key]) for key in ("p50_ms", "p95_ms", "p99_ms")) + " ms"
            for page in pages
        ]
        lines.append(f"| {run['posts']:,} posts ({run['database']}) | " + " | ".join(cells) + " |")
    ratios = report["ratio_p95_large_to_small"]
    lines.append("| **p95 ratio largest / smallest** | " + " | ".join(f"**{ratios[p]:.2f}**" for p in pages) + " |")
    return lines


def fanout_table(report: dict[str, Any]) -> list[str]:
    """bench.fanout's output: delivery to every socket of a space, against the bare relay of the same run."""
    lines = [
        "| configuration | sockets | last recipient p50 / p99 | any recipient p50 / p99 | lost "
        "| p99 vs bare relay | server memory per idle socket |",
        "|---|---|---|---|---|---|---|",
    ]
    bare = {r["sockets"]: r for r in report["runs"] if r["config"] == "bare"}
    for run in sorted(report["runs"], key=lambda r: (r["sockets"], r["config"] == "bare")):
        ref = bare.get(run["sockets"])
        ratio = _ratio(run["last_recipient_p99_ms"], ref["last_recipient_p99_ms"]) if ref else None
        lines.append(
            f"| {run['config']} | {run['sockets']:,} "
            f"| {_fmt(run['last_recipient_p50_ms'])} / {_fmt(run['last_recipient_p99_ms'])} ms "
            f"| {_fmt(run['any_recipient_p50_ms'])} / {_fmt(run['any_recipient_p99_ms'])} ms "
            f"| {run['lost']:,} of {run['posts'] * run['connected']:,} "
            f"| {_fmt(ratio, 2) + 'x' if ratio is not None else '–'} "
            f"| {_fmt(run['server_rss_idle_kib_per_socket'])} KiB |"
        )
    return lines


# The table kinds a RESULTS.md block may name, each drawn from one bench/results/<stem>.json.
TABLES: dict[str, Callable[[dict[str, Any]], list[str]]] = {
    "limits": limits_table,
    "summary": summary_table,
    "configs": configs_table,
    "feed_latency": feed_latency_table,
    "fanout": fanout_table,
    "round_two": round_two_table,
}
# The run issue 17 started from, beside which the round-two table shows its figures.
ROUND_TWO_BEFORE = "full"
BLOCK = re.compile(
    r"(?P<open><!-- bench\.report: (?P<stem>[\w.-]+) (?P<kind>\w+) -->\n)"
    r"(?P<body>.*?)(?P<close><!-- /bench\.report -->)",
    re.S,
)
RESULTS_MD = Path(__file__).resolve().parent / "RESULTS.md"
RESULTS_DIR = Path(__file__).resolve().parent / "results"


def generated_block(results: Path, stem: str, kind: str) -> str:
    """The table a block names, as bench.report writes it from bench/results/<stem>.json."""
    if kind not in TABLES:
        raise ValueError(f"unknown table kind {kind!r} (known: {', '.join(TABLES)})")
    report = json.loads((results / f"{stem}.json").read_text())
    if kind == "round_two":
        before = results / f"{ROUND_TWO_BEFORE}.json"
        return "\n".join(round_two_table(report, json.loads(before.read_text()) if before.exists() else None)) + "\n"
    return "\n".join(TABLES[kind](report)) + "\n"


def regenerate_results_md(text: str, results: Path = RESULTS_DIR) -> str:
    """RESULTS.md with every marked block rewritten from the JSON it names; the prose is left as it is."""
    return BLOCK.sub(lambda m: m["open"] + generated_block(results, m["stem"], m["kind"]) + m["close"], text)


def markdown(report: dict[str, Any]) -> str:
    m, v = report["machine"], report["versions"]
    lines = [
        f"# Benchmark results: {report['suite']} suite, {report['started_at']}",
        "",
        f"Machine: {m['cpus']} CPUs ({m['cpu_model']}), {m['memory_gib']} GiB, {m['platform']}, "
        f"Python {m['python']}. Versions: " + ", ".join(f"{k} {val}" for k, val in v.items()) + ".",
        f"Dataset: {report['dataset']['posts']:,} posts, {report['dataset']['users']} people, "
        f"{report['dataset']['spaces']} spaces, plus a space of {report['dataset']['load_space_members']} members.",
        f"Duration: {report.get('duration_s', '?')} s. Method: {report['method']['http']}. "
        f"Costs: {report['method']['costs']}; {report['method']['machine']}.",
        *[
            f"Rerun: {', '.join(r['scenarios'])} at {r['started_at']} (commit {r['commit']}): {r['why']}."
            for r in report.get("reruns", [])
        ],
    ]
    lines.append(f"Bare references: {report['method'].get('bare_references', OLD_BARE_REFERENCES)}.")
    lines += ["", "## The machine's limits, measured in this run", "", *limits_table(report)]
    lines += ["", "## Summary", "", *summary_table(report)]
    lines += ["", "## Steps", ""]
    for result in report["scenarios"]:
        steps = result.get("steps")
        if not steps:
            continue
        lines += [
            f"### {result['scenario']} — {result['config']}",
            "",
            "| offered /s | users | completed /s | p50 | p95 | p99 | mean | errors | server CPU % | server MiB "
            "| client late p99 |",
            "|---|---|---|---|---|---|---|---|---|---|---|",
        ]
        rows = sorted(steps, key=lambda s: (s.get("users") or 0, s["offered_rps"]))
        for s in rows:
            lines.append(
                f"| {_fmt(s['offered_rps'], 0)} | {_fmt(s.get('users'))} | {_fmt(s['throughput_rps'], 0)} "
                f"| {_fmt(s['p50_ms'])} | {_fmt(s['p95_ms'])} | {_fmt(s['p99_ms'])} | {_fmt(s['mean_ms'])} "
                f"| {s['error_rate']:.3%} | {_fmt(s['server_cpu_pct_of_core'], 0)} "
                f"| {_fmt(s['server_rss_peak_mib'], 0)} | {_fmt(s['generator_lateness_p99_ms'])} |"
            )
        lines.append("")
    return "\n".join(lines) + "\n"


def plot(report: dict[str, Any], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(2, 2, figsize=(13, 9))
    panels = (
        ("create_post", "Create a post: p99 latency", "p99_ms"),
        ("feed_read", "Read a feed page: p95 latency", "p95_ms"),
    )
    for ax, (scenario, title, key) in zip(axes[0], panels, strict=True):
        for result in _by(report, scenario):
            steps = sorted(result["steps"], key=lambda s: s["offered_rps"])
            ax.plot([s["throughput_rps"] for s in steps], [s[key] for s in steps], marker="o", label=result["config"])
        ax.set(title=title, xlabel="completed requests/s", ylabel="ms", yscale="log")
        ax.grid(True, alpha=0.3)
        ax.legend()
    ax = axes[1][0]
    for result in _by(report, "mixed_users"):
        users = [s["users"] for s in result["steps"]]
        ax.plot(users, [s["mean_ms"] for s in result["steps"]], marker="o", label=f"{result['config']} mean")
        ax.plot(
            users, [s["p99_ms"] for s in result["steps"]], marker="x", linestyle="--", label=f"{result['config']} p99"
        )
    ax.axhline(100, color="grey", linewidth=0.8)
    ax.set(title="Mixed users: latency as people are added", xlabel="simulated people", ylabel="ms", yscale="log")
    ax.grid(True, alpha=0.3)
    if _by(report, "mixed_users"):
        ax.legend()
    ax = axes[1][1]
    fanouts = _by(report, "fanout")
    labels = [f"{f['config']}\n{f['sockets']:,}" for f in fanouts]
    ax.bar(
        range(len(fanouts)), [f["last_recipient_p99_ms"] for f in fanouts], color="#c77d1a", label="last recipient p99"
    )
    ax.bar(range(len(fanouts)), [f["last_recipient_p50_ms"] for f in fanouts], color="#3b6e8f", label="p50")
    ax.set_xticks(range(len(fanouts)), labels, fontsize=8)
    ax.set(title="Fan-out at 10 posts/s: delivery to the last socket", ylabel="ms")
    if fanouts:
        ax.legend()
    fig.suptitle(
        f"Alvéole {report['suite']} benchmark, {report['started_at']} — {report['dataset']['posts']:,} posts, "
        f"{report['machine']['cpus']} CPUs"
    )
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)


def write_report(report: dict[str, Any], stem: Path) -> list[Path]:
    md, png = stem.with_suffix(".md"), stem.with_suffix(".png")
    md.write_text(markdown(report))
    plot(report, png)
    return [md, png]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("results", type=Path, nargs="?", help="a bench/results/<name>.json written by bench.run")
    parser.add_argument(
        "--results-md", action="store_true", help="rewrite the generated tables of bench/RESULTS.md from their JSON"
    )
    args = parser.parse_args(argv)
    if args.results_md:
        text = RESULTS_MD.read_text()
        new = regenerate_results_md(text)
        RESULTS_MD.write_text(new)
        print(f"{'rewritten' if new != text else 'unchanged'} {RESULTS_MD} ({len(BLOCK.findall(new))} tables)")
    if args.results is not None:
        for path in write_report(json.loads(args.results.read_text()), args.results.with_suffix("")):
            print(f"written {path}")
    elif not args.results_md:
        parser.error("give a results file, --results-md, or both")


if __name__ == "__main__":
    main()
