"""Ten million leads: one tenant's pages, API and sweep at 100 times the table, against 100,000.

Two databases are built set-based (INSERT … SELECT over generate_series; nothing row by row):
a small one (default 100,000 leads over 10 tenants) and a large one (default 10,000,000 leads
over 1,000 tenants). Every tenant holds the same 10,000 leads with the same mix of stages,
owners, deadlines and history, so the measured tenant (`bench`) has identical data in both
and only the rest of the table grows. Rows of all tenants are interleaved in insertion order,
as leads of many customers arriving at once would be.

Per lead, by its number n (mod 100): 55% leads, 20% MQLs, 5% SQLs waiting in the queue (3 of
5 unrouted, 2 routed to a rep), 5% accepted SQLs, 5% opportunities, 5% won or lost, 5%
recycled by sales. Each carries its stage history (about one transition per lead), its SLA
obligations (accept and first touch: 0.4 per lead, a quarter of them pending, every pending
deadline days ahead), the breaches of the missed ones, and the tenant's daily compliance
rollups; five reps and a manager per tenant, one active SLA version each.

Measured for the tenant `bench`, alternately on the two databases (round by round, the
order swapped each round, so both see the same load), against gunicorn with 2 sync workers:

- the rep's queue page (`/t/bench/queue/`, logged in as a rep),
- the lead list page filtered to MQLs (`/t/bench/leads/?stage=mql`, as the manager),
- the lead list API with the same filter (`/api/v1/leads/?stage=mql&page_size=50`),
- the compliance API, last 30 days (`/api/v1/sla/compliance/`, the manager's key),
- the SLA sweep (`sla.services.sla_sweep`, in process) with 1,000 obligations of the
  tenant due, on fresh rows after VACUUM ANALYZE, across every tenant's pending deadlines.

Goal: each large-build median within 2x of the small-build median.

Usage: DATABASE_URL=postgres://user:pw@127.0.0.1:5432/x REDIS_URL=redis://127.0.0.1:6379/9 \
       python bench/scale.py [--leads 10000000] [--tenants 1000] [--small-leads 100000]
       [--rounds 5] [--requests 10] [--database smk_bench_scale] [--reuse] [--drop]
Databases `<database>` (large) and `<database>_small` are dropped and created here
(`--reuse` measures existing ones; `--drop` drops both at the end). Prints JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from _stack import (
    PYTHON,
    database_url,
    environment,
    gunicorn,
    manage,
    prepare,
)
from scale_data import MANAGER, PASSWORD, PER_TENANT, role_build, sizes
from scale_http import _MASTERS, PAGES, Server, _children, memory, summary
from scale_log import log
from scale_sweep import role_sweep

DATABASE = "smk_bench_scale"
RATIO_GOAL = 2.0


def load() -> list[float]:
    return [float(x) for x in Path("/proc/loadavg").read_text().split()[:3]]


def child(role: str, url: str, env: dict, *args: str) -> dict:
    result = subprocess.run(
        [PYTHON, __file__, "--role", role, *args],
        env={**env, "DATABASE_URL": url}, check=True, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    return json.loads(result.stdout.splitlines()[-1])


def build(name: str, *, leads: int, tenants: int) -> tuple[str, dict, dict]:
    log(f"building {name}: {leads:,} leads over {tenants:,} tenants")
    url, env = prepare(name)
    manage(env, "create_user", MANAGER, "--tenant", "bench", "--role", "manager",
           "--password", PASSWORD)  # fmt: skip
    started = time.perf_counter()
    info = child("build", url, env, "--per-tenant", str(leads // tenants),
                 "--tenants", str(tenants))  # fmt: skip
    info["seconds"]["total"] = round(time.perf_counter() - started, 1)
    log(f"built {name}: {json.dumps(info)}")
    return url, env, info


def api_key(env: dict) -> str:
    return manage(env, "create_api_key", "--tenant", "bench", "--user", MANAGER,
                  "--name", f"scale bench {time.time_ns()}").splitlines()[-1]  # fmt: skip


def measure(builds: dict, *, rounds: int, requests: int) -> dict:
    """Round by round, alternating which database goes first, the same requests on both."""
    from contextlib import ExitStack

    loads, sweeps = [], {name: [] for name in builds}
    # As a deployment does before it serves pages (the manifest names the hashed files).
    manage(next(iter(builds.values()))[1], "collectstatic", "--noinput")
    with ExitStack() as stack:
        servers = {}
        for name, (_url, env, _info) in builds.items():
            started = set(_children(os.getpid()))
            base = stack.enter_context(gunicorn(env, workers=2))
            _MASTERS[name] = max(set(_children(os.getpid())) - started)
            servers[name] = Server(base, api_key(env))
        names = list(builds)
        for number in range(rounds):
            loads.append(load())
            for name in names if number % 2 == 0 else reversed(names):
                log(f"round {number + 1}/{rounds}: {name}")
                servers[name].round(requests)
                url, env, _info = builds[name]
                sweeps[name].append(child("sweep", url, env))
        loads.append(load())
        times = {name: server.times for name, server in servers.items()}
        used = {name: memory(name) for name in servers}
    result = {}
    small, large = names
    for measure_name in PAGES:
        a, b = summary(times[small][measure_name]), summary(times[large][measure_name])
        result[measure_name] = {"small_ms": a, "large_ms": b,
                                "ratio": round(b["median"] / a["median"], 3)}  # fmt: skip
    a = [run["seconds"] * 1000 for run in sweeps[small]]
    b = [run["seconds"] * 1000 for run in sweeps[large]]
    result["sla_sweep_1000_due"] = {"small_ms": summary(a), "large_ms": summary(b),
                                    "ratio": round(statistics.median(b) /
                                                   statistics.median(a), 3)}  # fmt: skip
    return {"measures": result, "load_average_per_round": loads, "memory": used}


def drop(name: str) -> None:
    from urllib.parse import urlsplit, urlunsplit

    import psycopg2

    parts = urlsplit(database_url(name))
    admin = psycopg2.connect(urlunsplit(parts._replace(path="/postgres")))
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.close()


def existing(name: str) -> tuple[str, dict, dict]:
    url = database_url(name)
    env = environment(url)
    return url, env, child("sizes", url, env)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leads", type=int, default=10_000_000)
    parser.add_argument("--tenants", type=int, default=None,
                        help=f"default: one per {PER_TENANT:,} leads")  # fmt: skip
    parser.add_argument("--small-leads", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--requests", type=int, default=10, help="per measure and round")
    parser.add_argument("--database", default=DATABASE)
    parser.add_argument("--reuse", action="store_true", help="measure the existing databases")
    parser.add_argument("--drop", action="store_true", help="drop both databases at the end")
    parser.add_argument("--role", choices=["build", "sweep", "sizes"], help=argparse.SUPPRESS)
    parser.add_argument("--per-tenant", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.role:
        os.environ["DJANGO_SETTINGS_MODULE"] = "smarketing.settings"
        import django

        django.setup()
        if args.role == "build":
            result = role_build(args.per_tenant, args.tenants)
        elif args.role == "sweep":
            result = role_sweep()
        else:
            from smarketing.tenancy.scope import cross_tenant_scope

            with cross_tenant_scope():
                result = {"size": sizes()}
        print(json.dumps(result, default=str))
        return

    tenants = args.tenants or max(1, args.leads // PER_TENANT)
    per_tenant = args.leads // tenants
    small_tenants = max(1, args.small_leads // per_tenant)
    names = {"small": f"{args.database}_small", "large": args.database}
    started_load = load()
    if args.reuse:
        builds = {name: existing(name) for name in (names["small"], names["large"])}
    else:
        builds = {
            names["small"]: build(names["small"], leads=small_tenants * per_tenant,
                                  tenants=small_tenants),
            names["large"]: build(names["large"], leads=tenants * per_tenant, tenants=tenants),
        }  # fmt: skip
    results = measure(builds, rounds=args.rounds, requests=args.requests)
    if args.drop:
        for name in builds:
            drop(name)
    print(json.dumps({
        "benchmark": "scale",
        "database": "postgresql",
        "leads_per_tenant": per_tenant,
        "builds": {scale: {"database": name, **builds[name][2]} for scale, name in names.items()},
        "load_average_at_start": started_load,
        **results,
        "goal_ratio_at_most": RATIO_GOAL,
        "meets_goal": all(m["ratio"] <= RATIO_GOAL for m in results["measures"].values()),
    }, indent=2, default=str))  # fmt: skip


if __name__ == "__main__":
    main()
