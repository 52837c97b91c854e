"""Reports over a large history: the funnel API on 1,000,000 leads and 5,000,000 transitions.

Two years of history are generated set-based (generate_series): 1,000,000 leads created over
730 days across 20 campaigns and 6 countries, each walking the funnel as far as its luck
takes it (90% become MQLs, 70% are handed off, 55% accepted and 10% rejected — a fifth of
those by the cold sweep —, 35% reach an opportunity and 15% are won), each step timed from
the one before (`step_started_at`), plus the records that are no funnel step (data merged in
by upserts, assignments) that a range still holds: 5,000,000 transitions in all.
`GET /api/v1/reports/funnel/` is then measured over HTTP against gunicorn, sequentially,
with a manager's API key: the last quarter in flow and cohort mode, and the quarter by
campaign.

Goal: a quarter's funnel (flow) at most 300 ms (median).

Usage: DATABASE_URL=postgres://user:pw@127.0.0.1:5432/x REDIS_URL=redis://... \
       python bench/funnel.py [--leads N] [--requests R] [--database NAME] [--reuse]
Uses its own database (funnelbench), dropped, created and migrated here; `--reuse` migrates
and measures again the database of an earlier run (building the data takes ~10 minutes).
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
from _stack import database_url, environment, gunicorn, manage, prepare, timed_gets

DATABASE = os.environ.get("BENCH_DATABASE", "funnelbench")
FUNNEL_GOAL_MS = 300
DAYS = 730
CAMPAIGNS = 20
MANAGER = "boss@bench.example"

# Each funnel step: (action, from, to, reason, share of leads that make it, depth: the
# step's place in the walk, whose duration is drawn per lead, `d1`..`d5` below).
_STEPS = """
  ('move', 'lead', 'mql', '', 0.90, 1),
  ('move', 'mql', 'sql', '', 0.70, 2),
  ('accept', 'sql', 'sql', '', 0.55, 3),
  ('reject', 'sql', 'recycled', 'bad_fit', 0.63, 3),
  ('reject', 'sql', 'recycled', 'went_cold', 0.65, 3),
  ('move', 'sql', 'opportunity', '', 0.35, 4),
  ('move', 'opportunity', 'won', '', 0.15, 5)
"""


def setup(leads: int) -> dict:
    """The leads and their history, set-based."""
    from django.db import connection
    from django.utils import timezone

    from leads.models import Campaign, Lead
    from smarketing.tenancy.models import Tenant
    from smarketing.tenancy.scope import tenant_scope

    tenant = Tenant.objects.get(slug="bench")
    now = timezone.now()
    with tenant_scope(tenant):
        campaign_ids = [
            Campaign.objects.create(tenant=tenant, name=f"Campaign {n}", cost=1000 * n,
                                    channel=("email", "webinar", "event", "paid_search")[n % 4]).pk
            for n in range(CAMPAIGNS)
        ]  # fmt: skip
        template = Lead.objects.create(tenant=tenant, email="template@bench.example",
                                       stage="lead", stage_changed_at=now)  # fmt: skip
    drawn = ("id", "email", "created_at", "campaign_id", "country")
    columns = [f.column for f in Lead._meta.concrete_fields if f.column not in drawn]
    names = ", ".join(columns)
    copied = ", ".join(f"t.{column}" for column in columns)
    params = {"tenant": tenant.pk, "now": now, "days": DAYS, "n": leads,
              "campaigns": campaign_ids, "template": template.pk}  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO leads_lead (email, created_at, campaign_id, country, {names}) "
            f"SELECT 'f' || g || '@bench.example', "
            f"  %(now)s - random() * %(days)s * interval '1 day', "
            f"  (%(campaigns)s::bigint[])[1 + g %% {CAMPAIGNS}], "
            f"  (ARRAY['IT', 'FR', 'DE', 'ES', 'GB', 'US'])[1 + (g / 7) %% 6], {copied} "
            f"FROM leads_lead t CROSS JOIN generate_series(1, %(n)s) g WHERE t.id = %(template)s",
            params,
        )  # fmt: skip
        # One draw per lead says how far it goes; each step's duration is its own draw. A
        # lead is accepted (r < .55), else rejected by sales (< .63), else recycled cold
        # (< .65): the three answers exclude each other, and only the accepted go further.
        cursor.execute(
            "INSERT INTO leads_stagetransition (tenant_id, lead_id, action, from_stage, to_stage, "
            "actor_label, reason_code, note, at, step_started_at) "
            "SELECT * FROM (SELECT %(tenant)s, l.id, s.action, s.from_stage, s.to_stage, 'bench', "
            "  s.reason, '', l.created_at + make_interval(secs => 3600 * ("
            "    l.d1 + CASE WHEN s.depth >= 2 THEN l.d2 ELSE 0 END"
            "    + CASE WHEN s.depth >= 3 THEN l.d3 ELSE 0 END"
            "    + CASE WHEN s.depth >= 4 THEN l.d4 ELSE 0 END"
            "    + CASE WHEN s.depth >= 5 THEN l.d5 ELSE 0 END)) AS at, "
            "  l.created_at + make_interval(secs => 3600 * ("
            "    CASE WHEN s.depth >= 2 THEN l.d1 ELSE 0 END"
            "    + CASE WHEN s.depth >= 3 THEN l.d2 ELSE 0 END"
            "    + CASE WHEN s.depth >= 4 THEN l.d3 ELSE 0 END"
            "    + CASE WHEN s.depth >= 5 THEN l.d4 ELSE 0 END)) "
            "FROM (SELECT id, created_at, random() AS r, "
            "        -ln(1 - random()) * 48 AS d1, -ln(1 - random()) * 120 AS d2, "
            "        -ln(1 - random()) * 6 AS d3, -ln(1 - random()) * 200 AS d4, "
            "        -ln(1 - random()) * 500 AS d5 "
            "      FROM leads_lead WHERE tenant_id = %(tenant)s AND email LIKE 'f%%') l "
            f"CROSS JOIN (VALUES {_STEPS}) "
            "  AS s(action, from_stage, to_stage, reason, share, depth) "
            "WHERE l.r < s.share AND (s.depth <> 3 OR (s.action = 'accept' AND l.r < 0.55) "
            "  OR (s.reason = 'bad_fit' AND l.r >= 0.55) "
            "  OR (s.reason = 'went_cold' AND l.r >= 0.63)) "
            "  AND (s.depth < 4 OR l.r < 0.55)) steps WHERE steps.at <= %(now)s",
            params,
        )  # fmt: skip
        cursor.execute("SELECT count(*) FROM leads_stagetransition")
        steps = cursor.fetchone()[0]
        # The rest of a real history: upserts merging data in, assignments; no funnel step.
        extra = max(0, 5 * leads - steps)
        cursor.execute(
            "INSERT INTO leads_stagetransition (tenant_id, lead_id, action, from_stage, to_stage, "
            "actor_label, reason_code, note, at) "
            "SELECT %(tenant)s, l.id, CASE WHEN g %% 3 = 0 THEN 'assign' ELSE 'merge' END, "
            "  'lead', 'lead', 'bench', '', '', "
            "  least(%(now)s, l.created_at + random() * interval '60 days') "
            "FROM generate_series(1, %(extra)s) g "
            "JOIN leads_lead l ON l.tenant_id = %(tenant)s "
            "  AND l.email = 'f' || (1 + (g::bigint * 7919) %% %(n)s) || '@bench.example'",
            {**params, "extra": extra},
        )  # fmt: skip
    connection.close()
    with connection.cursor() as cursor:
        for table in ("leads_stagetransition", "leads_lead"):
            cursor.execute(f"VACUUM ANALYZE {table}")
        cursor.execute("SELECT count(*) FROM leads_lead")
        lead_count = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM leads_stagetransition")
        transitions = cursor.fetchone()[0]
    return {"tenant_id": tenant.pk, "leads": lead_count, "transitions": transitions}


def reused() -> dict:
    from django.db import connection

    from smarketing.tenancy.models import Tenant

    with connection.cursor() as cursor:
        cursor.execute("SELECT (SELECT count(*) FROM leads_lead), "
                       "(SELECT count(*) FROM leads_stagetransition)")  # fmt: skip
        leads, transitions = cursor.fetchone()
    return {"tenant_id": Tenant.objects.get(slug="bench").pk, "leads": leads,
            "transitions": transitions, "reused": True}  # fmt: skip


def measure(base: str, key: str, path: str, requests: int) -> dict:
    summary, body = timed_gets(base, key, path, requests)
    return {**summary, "stages": {stage["stage"]: stage["count"] for stage in body["stages"]}}


def funnel_measures(base: str, key: str, requests: int) -> dict:
    """The funnel API over the last full quarter-length range (91 days up to today)."""
    from datetime import date, timedelta

    today = date.today()
    quarter = f"from={(today - timedelta(days=90)).isoformat()}&to={today.isoformat()}"
    api = "/api/v1/reports/funnel/"
    paths = {
        "quarter_flow": f"{api}?mode=flow&{quarter}",
        "quarter_cohort": f"{api}?mode=cohort&{quarter}",
        "quarter_flow_by_campaign": f"{api}?mode=flow&group_by=campaign&{quarter}",
    }
    return {name: measure(base, key, path, requests) for name, path in paths.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leads", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--database", default=DATABASE)
    parser.add_argument(
        "--reuse", action="store_true", help="migrate and measure an earlier run's database"
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
            data = reused()
        else:
            started = time.perf_counter()
            data = setup(args.leads)
            data["setup_seconds"] = round(time.perf_counter() - started, 1)
        # The periodic task's work: every closed day of the history into the daily rollup
        # (on a reused database, the days closed since the last run).
        from leads.funnel.rollups import funnel_rollups_refresh

        started = time.perf_counter()
        days = funnel_rollups_refresh(tenant_id=data["tenant_id"])
        data["rollup_build"] = {"days_written": days,
                                "seconds": round(time.perf_counter() - started, 1)}  # fmt: skip
    connection.close()
    if not args.reuse:
        manage(env, "create_user", MANAGER, "--tenant", "bench", "--role", "manager")
    # A new key each run: a key is shown once, and its name is unique.
    key = manage(env, "create_api_key", "--tenant", "bench", "--user", MANAGER,
                 "--name", f"bench {time.time_ns()}").splitlines()[-1]  # fmt: skip
    load_before = os.getloadavg()
    with gunicorn(env, workers=2) as base:
        funnel = funnel_measures(base, key, args.requests)
    data["load_average_1m_before_after"] = [round(load_before[0], 1), round(os.getloadavg()[0], 1)]
    print(json.dumps({
        "benchmark": "reports",
        "database": "postgresql",
        "data": data,
        "funnel": funnel,
        "goal_quarter_flow_median_ms_at_most": FUNNEL_GOAL_MS,
        "meets_funnel_goal": funnel["quarter_flow"]["median_ms"] <= FUNNEL_GOAL_MS,
    }, indent=2, default=str))  # fmt: skip


if __name__ == "__main__":
    main()
