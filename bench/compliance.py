"""Compliance API over 1,000,000 obligations: served from the daily rollups.

A year of history is generated set-based (generate_series): 500,000 SQLs, each with an
`accept` and a `first_touch` obligation (1,000,000 in all) spread over 365 days and 40 reps,
with realistic outcomes and response times, and the stage history marketing is measured on
(an MQL, the hand-off, and sales' acceptance or rejection per lead: 1,500,000 transitions).
The rollups are then built once, as the first run of the periodic task would (timed), and
`GET /api/v1/sla/compliance/` is measured over HTTP against gunicorn, sequentially, with a
manager's API key: the default (last 30 days), by rep, by week over a quarter, and by week
over the whole year (every one of the 1,000,000 obligations).

Goal: the default request at most 200 ms (median).

Usage: DATABASE_URL=postgres://user:pw@127.0.0.1:5432/x python bench/compliance.py
       [--sqls N] [--requests R]
Uses its own database (smk_bench_compliance), dropped, created and migrated here.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from _stack import gunicorn, manage, prepare, timed_gets

DATABASE = "smk_bench_compliance"
GOAL_MS = 200
REPS = 40
DAYS = 365
MANAGER = "boss@bench.example"


def setup(sqls: int) -> dict:
    """The SLA, the reps, the leads, the obligations and the stage history."""
    from django.db import connection
    from django.utils import timezone

    from bench.sla_data import copy_leads
    from leads.models import Lead
    from sla.models import SlaStatus, SlaVersion
    from smarketing.tenancy.models import Tenant
    from smarketing.tenancy.roles import Role
    from smarketing.tenancy.scope import tenant_scope
    from smarketing.tenancy.services import member_add

    tenant = Tenant.objects.get(slug="bench")
    reps = [member_add(tenant=tenant, email=f"rep{n}@bench.example", role=Role.SALES_REP).user_id
            for n in range(REPS)]  # fmt: skip
    now = timezone.now()
    with tenant_scope(tenant):
        version = SlaVersion.objects.create(
            tenant=tenant, number=2, name="Bench", status=SlaStatus.ACTIVE,
            accept_within_hours=4, first_touch_within_hours=8, monthly_mql_target=45_000,
            monthly_sql_target=41_000, min_acceptance_rate="0.8",
            calendar={"timezone": "Europe/Rome", "holiday_country": "IT", "closed_days": [],
                      "working_hours": {**{k: [["09:00", "18:00"]] for k in
                                           ("mon", "tue", "wed", "thu", "fri")},
                                        "sat": [], "sun": []}},
            marketing_signed_at=now, sales_signed_at=now, activated_at=now,
        )  # fmt: skip
        template = Lead.objects.create(tenant=tenant, email="template@bench.example",
                                       stage="opportunity", stage_changed_at=now)  # fmt: skip
        copy_leads(template=template, count=sqls, prefix="c")
    params = {"tenant": tenant.pk, "version": version.pk, "now": now, "days": DAYS,
              "reps": reps, "like": "c%"}  # fmt: skip
    with connection.cursor() as cursor:
        # One row per lead and kind; r1 picks the outcome, r2 the response time, r3 the rep.
        cursor.execute(
            "INSERT INTO sla_obligation (tenant_id, lead_id, version_id, kind, status, owner_id, "
            "within_hours, is_hot, opened_at, due_at, warn_at, met_at, breached_at, cancelled_at, "
            "response_business_hours) "
            "SELECT %(tenant)s, id, %(version)s, kind, "
            "  CASE WHEN r1 < 0.80 THEN 'met' WHEN r1 < 0.92 THEN 'breached' "
            "       WHEN r1 < 0.97 THEN 'cancelled' ELSE 'pending' END, "
            "  CASE WHEN r3 < 0.05 THEN NULL "
            "       ELSE (%(reps)s::bigint[])[1 + floor(r3 * %(n_reps)s)::int] END, "
            "  within, false, opened, opened + within * interval '1 hour', "
            "  opened + within * 0.8 * interval '1 hour', "
            "  CASE WHEN r1 < 0.80 THEN opened + hours * interval '1 hour' "
            "       WHEN r1 < 0.86 THEN opened + (within + hours) * interval '1 hour' END, "
            "  CASE WHEN r1 >= 0.80 AND r1 < 0.92 THEN opened + within * interval '1 hour' END, "
            "  CASE WHEN r1 >= 0.92 AND r1 < 0.97 THEN opened END, "
            "  CASE WHEN r1 < 0.80 THEN hours WHEN r1 < 0.86 THEN within + hours END "
            "FROM (SELECT l.id, k.kind, k.within, r3, "
            "        CASE k.kind WHEN 'accept' THEN r1 ELSE r1 * 7 - floor(r1 * 7) END AS r1, "
            "        round(least(-ln(1 - random()) * k.within / 3, k.within * 0.99)::numeric, 4)"
            "          ::float AS hours, "
            "        %(now)s - random() * %(days)s * interval '1 day' "
            "          + CASE k.kind WHEN 'first_touch' THEN interval '1 hour' "
            "            ELSE interval '0' END AS opened "
            "      FROM (SELECT id, random() AS r1, random() AS r3 FROM leads_lead "
            "            WHERE tenant_id = %(tenant)s AND email LIKE %(like)s) l "
            "      CROSS JOIN (VALUES ('accept', 4), ('first_touch', 8)) AS k(kind, within)) o",
            {**params, "n_reps": REPS},
        )  # fmt: skip
        # The history: flagged an MQL a day before the hand-off, handed off, then answered.
        cursor.execute(
            "INSERT INTO leads_stagetransition (tenant_id, lead_id, action, from_stage, to_stage, "
            "actor_label, reason_code, note, at) "
            "SELECT %(tenant)s, o.lead_id, t.action, t.from_stage, t.to_stage, 'bench', "
            "  CASE WHEN t.action = 'reject' THEN "
            "    (ARRAY['bad_fit', 'no_budget', 'wrong_contact', 'went_cold'])"
            "      [1 + (o.lead_id %% 4)::int] ELSE '' END, '', o.opened_at + t.after "
            "FROM sla_obligation o CROSS JOIN LATERAL (VALUES "
            "  ('move', 'lead', 'mql', interval '-1 day'), ('move', 'mql', 'sql', interval '0'), "
            "  (CASE WHEN o.lead_id %% 7 = 0 THEN 'reject' ELSE 'accept' END, 'sql', "
            "   CASE WHEN o.lead_id %% 7 = 0 THEN 'recycled' ELSE 'sql' END, interval '1 hour')"
            ") AS t(action, from_stage, to_stage, after) "
            "WHERE o.tenant_id = %(tenant)s AND o.kind = 'accept'",
            params,
        )  # fmt: skip
    connection.close()
    with connection.cursor() as cursor:
        for table in ("sla_obligation", "leads_stagetransition", "leads_lead"):
            cursor.execute(f"VACUUM ANALYZE {table}")
        cursor.execute("SELECT count(*) FROM sla_obligation")
        obligations = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM leads_stagetransition")
        transitions = cursor.fetchone()[0]
    return {"tenant_id": tenant.pk, "obligations": obligations, "transitions": transitions}


def build_rollups(tenant_id: int) -> dict:
    from django.db import connection

    from sla.services import compliance_rollups_build

    started = time.perf_counter()
    result = compliance_rollups_build(tenant_id=tenant_id, full=True)
    seconds = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE sla_obligationrollup")
        cursor.execute("SELECT count(*), pg_total_relation_size('sla_obligationrollup') "
                       "FROM sla_obligationrollup")  # fmt: skip
        rows, size = cursor.fetchone()
    return {"seconds": round(seconds, 1), "days": result["days"], "rows": rows,
            "table_mb": round(size / 2**20, 1)}  # fmt: skip


def measure(base: str, key: str, path: str, requests: int) -> dict:
    summary, body = timed_gets(base, key, path, requests)
    return {**summary, "obligations_in_range": body["sales"]["opened"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sqls", type=int, default=500_000, help="SQLs (obligations: twice)")
    parser.add_argument("--requests", type=int, default=30)
    args = parser.parse_args()

    _url, env = prepare(DATABASE)
    os.environ.update(env)
    os.environ["DJANGO_SETTINGS_MODULE"] = "smarketing.settings"
    import django

    django.setup()
    from smarketing.tenancy.scope import cross_tenant_scope

    with cross_tenant_scope():
        started = time.perf_counter()
        data = setup(args.sqls)
        data["setup_seconds"] = round(time.perf_counter() - started, 1)
        rollups = build_rollups(data["tenant_id"])
    manage(env, "create_user", MANAGER, "--tenant", "bench", "--role", "manager")
    key = manage(env, "create_api_key", "--tenant", "bench", "--user", MANAGER).splitlines()[-1]
    from datetime import date, timedelta

    today = date.today()
    year = f"from={(today - timedelta(days=DAYS)).isoformat()}&to={today.isoformat()}"
    quarter = f"from={(today - timedelta(days=90)).isoformat()}&to={today.isoformat()}"
    paths = {
        "default_30_days": "/api/v1/sla/compliance/",
        "by_rep_30_days": "/api/v1/sla/compliance/?group_by=rep",
        "by_week_90_days": f"/api/v1/sla/compliance/?group_by=week&{quarter}",
        "by_week_whole_year": f"/api/v1/sla/compliance/?group_by=week&{year}",
    }
    with gunicorn(env, workers=2) as base:
        results = {name: measure(base, key, path, args.requests) for name, path in paths.items()}
    print(json.dumps({
        "benchmark": "compliance_api",
        "database": "postgresql",
        "data": data,
        "rollup_build": rollups,
        "measures": results,
        "goal_default_median_ms_at_most": GOAL_MS,
        "meets_goal": results["default_30_days"]["median_ms"] <= GOAL_MS,
    }, indent=2, default=str))  # fmt: skip


if __name__ == "__main__":
    main()
