"""The fault scenarios, longer and bigger than in the test suite, with a Markdown table of figures.

    python -m tests.faults.longrun [--sockets 60] [--rate 10] [--before 10] [--after 20]
                                   [--pg-down 2] [--redis-down 5] [--keep]
                                   [--only web,worker,redis,postgres,embedded,new-space]

Two `alveole run` processes and one `alveole worker` on a PostgreSQL cluster and a Redis server
of its own (on spare ports, so that it may kill them), then the embedded default on SQLite.
Needs the PostgreSQL server binaries (initdb, postgres, pg_ctl) and redis-server. Set
ALVEOLE_FAULTS_APP to run another checkout of Alvéole (e.g. an export of an older commit).
Exits with 1 when any check fails; the table is printed either way.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import time
from collections.abc import Callable

from .checks import Outcome, table
from .scenarios import (
    Load,
    Services,
    Stack,
    embedded_stack,
    kill_embedded,
    kill_redis,
    kill_web,
    kill_worker,
    new_space,
    postgres_stack,
    restart_postgres,
)

ARGS = argparse.Namespace(pg_down=2.0, redis_down=5.0)
FAULTS: dict[str, Callable[[Stack, Load], Outcome]] = {
    "web": kill_web,
    "worker": kill_worker,
    "redis": lambda stack, load: kill_redis(stack, load, down=ARGS.redis_down),
    "postgres": lambda stack, load: restart_postgres(stack, load, down=ARGS.pg_down),
    "embedded": kill_embedded,
    "new-space": lambda stack, load: new_space(stack, sockets=load.sockets),
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sockets", type=int, default=60)
    parser.add_argument("--rate", type=float, default=10.0, help="posts per second")
    parser.add_argument("--before", type=float, default=10.0, help="seconds of load before each fault")
    parser.add_argument("--after", type=float, default=20.0, help="seconds of load after recovery")
    parser.add_argument("--only", default=",".join(FAULTS), help="comma-separated: " + ", ".join(FAULTS))
    parser.add_argument("--pg-down", type=float, default=2.0, help="seconds PostgreSQL stays stopped")
    parser.add_argument("--redis-down", type=float, default=5.0, help="seconds Redis stays killed")
    parser.add_argument("--keep", action="store_true", help="keep the logs and databases (path printed)")
    args = parser.parse_args(argv, namespace=ARGS)
    chosen = [name.strip() for name in args.only.split(",") if name.strip()]
    unknown = [name for name in chosen if name not in FAULTS]
    if unknown:
        parser.error(f"unknown fault(s) {unknown}; choose among {list(FAULTS)}")
    load = Load(sockets=args.sockets, rate=args.rate, before=args.before, after=args.after)

    started = time.monotonic()
    services = Services()
    outcomes: list[Outcome] = []
    try:
        services.start()
        print(f"services ready in {time.monotonic() - started:.0f} s ({services.base})", flush=True)
        for name in chosen:
            if name == "embedded":
                with embedded_stack(services) as stack:
                    # The burst: posts at three times the rate, from more threads.
                    burst = Load(sockets=args.sockets, rate=args.rate * 3, before=args.before, after=args.after)
                    outcome = kill_embedded(stack.start(), burst)
            else:
                with postgres_stack(services) as stack:
                    outcome = FAULTS[name](stack.start(), load)
            outcomes.append(outcome)
            print("\n" + outcome.summary(), flush=True)
    finally:
        services.stop()
        if args.keep:
            print(f"\nlogs and databases kept in {services.base}")
        else:
            shutil.rmtree(services.base, ignore_errors=True)
    print(f"\n{table(outcomes)}\n\n(total {time.monotonic() - started:.0f} s)")
    return 0 if all(o.ok for o in outcomes) else 1


if __name__ == "__main__":
    sys.exit(main())
