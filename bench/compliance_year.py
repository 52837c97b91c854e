"""The compliance API over a whole year, served from the monthly rollups.

The data of `bench/compliance.py` (a year: 500,000 SQLs, 1,000,000 obligations over 40
reps, 1,500,000 transitions), the rollups built once as the periodic task's first run does
(days and months), then `GET /api/v1/sla/compliance/` over the last 365 days, measured over
HTTP against gunicorn with a manager's API key: no grouping, by rep, by team, and by week
(week groups need days: they read the daily rows). In process, the same year's report is
also timed with the monthly level switched off, to show what it buys.

Goal: the whole year (no grouping) at most 200 ms (median).

Usage: DATABASE_URL=postgres://user:pw@127.0.0.1:5432/x REDIS_URL=redis://127.0.0.1:6379/0
       python bench/compliance_year.py [--sqls N] [--requests R] [--database NAME]
Uses its own database (default smk_bench_compliance_year), dropped, created and migrated.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path
from unittest import mock

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from _stack import database_url, environment, gunicorn, manage, prepare
from compliance import DAYS, MANAGER, build_rollups, measure, setup

GOAL_MS = 200
TEAMS = 4


def add_teams(tenant_id: int) -> None:
    """Four sales teams of ten reps each, so that `group_by=team` has groups to split."""
    from django.contrib.auth import get_user_model

    from leads.routing.models import Team, TeamMember

    users = list(
        get_user_model()
        .objects.filter(email__startswith="rep")
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    for n in range(TEAMS):
        team = Team.all_tenants.create(tenant_id=tenant_id, name=f"Team {n + 1}")
        TeamMember.all_tenants.bulk_create(
            TeamMember(tenant_id=tenant_id, team=team, user_id=user_id)
            for user_id in users[n::TEAMS]
        )


def in_process(tenant_id: int, year: tuple[date, date], runs: int = 5) -> dict:
    """The year's report computed in this process, with and without the monthly level."""
    from sla.compliance import report as report_module
    from sla.services import compliance_rollups_refresh
    from smarketing.periods import Period
    from smarketing.tenancy.scope import tenant_scope

    def days_only(first, last):
        return [], [(first, last)] if first <= last else []

    period = Period(year[0], year[1])
    timings: dict[str, list[float]] = {"months": [], "days_only": []}
    with tenant_scope(tenant_id):
        state = compliance_rollups_refresh(tenant_id=tenant_id)
        for _ in range(runs):
            for name in timings:
                started = time.perf_counter()
                if name == "days_only":
                    with mock.patch.object(report_module, "split_by_months", days_only):
                        report_module.compliance_report(period=period, group_by=None, state=state)
                else:
                    report_module.compliance_report(period=period, group_by=None, state=state)
                timings[name].append((time.perf_counter() - started) * 1000)
    return {f"{name}_median_ms": round(statistics.median(values), 1)
            for name, values in timings.items()}  # fmt: skip


def reused() -> tuple[dict, dict]:
    from django.db import connection

    from smarketing.tenancy.models import Tenant

    with connection.cursor() as cursor:
        cursor.execute("SELECT (SELECT count(*) FROM sla_obligation), "
                       "(SELECT count(*) FROM leads_stagetransition), "
                       "(SELECT count(*) FROM sla_obligationrollup)")  # fmt: skip
        obligations, transitions, rows = cursor.fetchone()
    data = {"tenant_id": Tenant.objects.get(slug="bench").pk, "obligations": obligations,
            "transitions": transitions, "reused": True}  # fmt: skip
    return data, {"rows": rows}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sqls", type=int, default=500_000, help="SQLs (obligations: twice)")
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--database", default="smk_bench_compliance_year")
    parser.add_argument(
        "--reuse", action="store_true", help="measure again on an earlier run's database"
    )
    args = parser.parse_args()

    if args.reuse:
        env = environment(database_url(args.database))
        manage(env, "migrate", "--noinput")
    else:
        _url, env = prepare(args.database)
    os.environ.update(env)
    os.environ["DJANGO_SETTINGS_MODULE"] = "smarketing.settings"
    import django

    django.setup()
    from django.db import connection

    from smarketing.tenancy.scope import cross_tenant_scope

    with cross_tenant_scope():
        if args.reuse:
            data, rollups = reused()
        else:
            started = time.perf_counter()
            data = setup(args.sqls)
            add_teams(data["tenant_id"])
            data["setup_seconds"] = round(time.perf_counter() - started, 1)
            rollups = build_rollups(data["tenant_id"])
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE sla_obligationmonthrollup")
            cursor.execute("SELECT count(*), pg_total_relation_size('sla_obligationmonthrollup') "
                           "FROM sla_obligationmonthrollup")  # fmt: skip
            rows, size = cursor.fetchone()
        rollups["month_rows"], rollups["month_table_mb"] = rows, round(size / 2**20, 1)
    today = date.today()
    year = (today - timedelta(days=DAYS), today)
    timing = in_process(data["tenant_id"], year)
    connection.close()
    if not args.reuse:
        manage(env, "create_user", MANAGER, "--tenant", "bench", "--role", "manager")
    # A new key each run: a key is shown once, and its name is unique.
    key = manage(env, "create_api_key", "--tenant", "bench", "--user", MANAGER,
                 "--name", f"bench {time.time_ns()}").splitlines()[-1]  # fmt: skip
    span = f"from={year[0].isoformat()}&to={year[1].isoformat()}"
    paths = {
        "whole_year": f"/api/v1/sla/compliance/?{span}",
        "whole_year_by_rep": f"/api/v1/sla/compliance/?group_by=rep&{span}",
        "whole_year_by_team": f"/api/v1/sla/compliance/?group_by=team&{span}",
        "whole_year_by_week": f"/api/v1/sla/compliance/?group_by=week&{span}",
        "default_30_days": "/api/v1/sla/compliance/",
    }
    load_before = os.getloadavg()[0]
    with gunicorn(env, workers=2) as base:
        results = {name: measure(base, key, path, args.requests) for name, path in paths.items()}
    data["load_average_1m_before_after"] = [round(load_before, 1), round(os.getloadavg()[0], 1)]
    print(json.dumps({
        "benchmark": "compliance_api_whole_year",
        "database": "postgresql",
        "data": data,
        "rollup_build": rollups,
        "in_process_whole_year": timing,
        "measures": results,
        "goal_whole_year_median_ms_at_most": GOAL_MS,
        "meets_goal": results["whole_year"]["median_ms"] <= GOAL_MS,
    }, indent=2, default=str))  # fmt: skip


if __name__ == "__main__":
    main()
