"""Marketing's shortfalls in the SLA sweep: what the pacing and the close add to each minute.

200 tenants with an SLA in force, one of them with 300,000 stage moves in the running month
(its MQLs, hand-offs and sales' answers), the others quiet. Measured through the production
service `sla.services.marketing_shortfalls_sweep`, at the 20th day of the month (past the
minimum share, so every tenant's month is counted):

1. the first sweep: closes last month for every tenant and paces this one;
2. the steady state (every later sweep, once a minute): months closed, terms at risk
   recorded, nothing left to write; median of 5 runs;
3. one count of the busy tenant's month (`leads.funnel.flow_figures`), median of 5.

Goal: the steady state under 1 second for 200 tenants (the sweep runs every 60 seconds).

Usage: DATABASE_URL=postgres://user:pw@127.0.0.1:5432/x REDIS_URL=redis://… python
       bench/marketing_shortfalls.py [--tenants N] [--moves N]
Uses its own database (smk_bench_shortfalls), dropped, created and migrated here. Prints JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from _stack import prepare

DATABASE = "smk_bench_shortfalls"
GOAL_SECONDS = 1.0


def setup(*, tenants: int, moves: int, month) -> list[int]:
    from django.db import connection

    from leads.models import Lead, StageTransition
    from sla.models import SlaStatus, SlaVersion
    from sla.terms import default_calendar_for
    from smarketing.tenancy.models import Tenant

    since = month.previous().start - timedelta(days=1)
    ids = []
    for index in range(tenants):
        tenant = Tenant.objects.create(slug=f"t{index}", name=f"T{index}", timezone="UTC")
        SlaVersion.all_tenants.create(
            tenant=tenant, number=1, name="v1", status=SlaStatus.ACTIVE, accept_within_hours=4,
            first_touch_within_hours=8, monthly_mql_target=400, monthly_sql_target=100,
            marketing_signed_at=since, sales_signed_at=since, activated_at=since,
            calendar=default_calendar_for(timezone="UTC", country=""),
        )  # fmt: skip
        ids.append(tenant.pk)
    busy = ids[0]
    lead = Lead.all_tenants.create(tenant_id=busy, email="x@bench.example",
                                   stage_changed_at=month.start)  # fmt: skip
    span = (month.start + timedelta(days=19) - month.start).total_seconds()
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {StageTransition._meta.db_table} (tenant_id, lead_id, action, "
            "from_stage, to_stage, actor_label, reason_code, note, at) "
            "SELECT %s, %s, CASE g %% 4 WHEN 2 THEN 'accept' WHEN 3 THEN 'reject' ELSE 'move' END, "
            "'mql', CASE g %% 4 WHEN 0 THEN 'mql' WHEN 3 THEN 'recycled' ELSE 'sql' END, "
            "'system', CASE g %% 4 WHEN 3 THEN 'bad_fit' ELSE '' END, '', "
            "%s + (g * %s / %s) * interval '1 second' FROM generate_series(1, %s) g",
            [busy, lead.pk, month.start, span, moves, moves],
        )
        cursor.execute("VACUUM ANALYZE")
    return ids


def timed(function) -> float:
    started = time.perf_counter()
    function()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tenants", type=int, default=200)
    parser.add_argument("--moves", type=int, default=300_000)
    args = parser.parse_args()

    _url, env = prepare(DATABASE)
    os.environ.update(env)
    os.environ["DJANGO_SETTINGS_MODULE"] = "smarketing.settings"
    import django

    django.setup()
    from django.db import connection

    from leads.funnel.figures import flow_figures
    from sla.services import marketing_shortfalls_sweep
    from smarketing.periods import current_month
    from smarketing.tenancy.scope import cross_tenant_scope, tenant_scope

    connection.set_autocommit(True)
    month = current_month("UTC")
    now = month.start + timedelta(days=19, hours=12)
    with cross_tenant_scope():
        ids = setup(tenants=args.tenants, moves=args.moves, month=month)
    started = time.perf_counter()
    first = marketing_shortfalls_sweep(now=now)
    first_seconds = time.perf_counter() - started
    steady = [timed(lambda: marketing_shortfalls_sweep(now=now)) for _ in range(5)]
    with tenant_scope(ids[0]):
        counts = [timed(lambda: flow_figures(month)) for _ in range(5)]
    print(json.dumps({
        "benchmark": "marketing_shortfalls",
        "database": "postgresql",
        "tenants": args.tenants,
        "moves_in_busy_month": args.moves,
        "first_sweep": first.as_dict(),
        "first_sweep_seconds": round(first_seconds, 3),
        "steady_sweep_seconds_median": round(statistics.median(steady), 3),
        "busy_month_count_seconds_median": round(statistics.median(counts), 3),
        "goal_steady_seconds_at_most": GOAL_SECONDS,
        "meets_goal": statistics.median(steady) <= GOAL_SECONDS,
    }, indent=2))  # fmt: skip


if __name__ == "__main__":
    main()
