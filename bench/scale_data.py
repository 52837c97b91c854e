"""The scale benchmark's data, built set-based, and its sweep: each runs in a child process
set up for one database (`bench/scale.py --role build|sweep|sizes`); see `bench/scale.py`."""

from __future__ import annotations

import resource
import time

from scale_bulk import bulk_load, copy_rows
from scale_log import log

PER_TENANT = 10_000
REPS = 5
DUE = 1_000
PASSWORD = "bench-password-0123"
REP = "rep0@bench.example"
MANAGER = "boss@bench.example"
CHUNK = 200_000  # leads per INSERT statement
BIG_TABLES = ("leads_lead", "leads_stagetransition", "sla_obligation", "sla_breach",
              "sla_obligationrollup", "sla_funnelrollup")  # fmt: skip


# --- building (runs in a child process set up for one database) --------------------------------


def build_tenants(tenants: int) -> dict:
    """The measured tenant's SLA and people through the services; the others as copies."""
    from django.db import connection
    from django.utils import timezone

    from sla.calendar import DAY_KEYS
    from sla.models import SlaStatus, SlaVersion
    from smarketing.accounts.models import User
    from smarketing.tenancy.models import Membership, Tenant
    from smarketing.tenancy.roles import Role
    from smarketing.tenancy.scope import tenant_scope
    from smarketing.tenancy.services import member_add

    tenant = Tenant.objects.get(slug="bench")
    rep = member_add(tenant=tenant, email=REP, role=Role.SALES_REP, password=PASSWORD)
    for k in range(1, REPS):
        member_add(tenant=tenant, email=f"rep{k}@bench.example", role=Role.SALES_REP)
    now = timezone.now()
    with tenant_scope(tenant):
        version = SlaVersion.objects.create(
            tenant=tenant, number=2, name="Bench", status=SlaStatus.ACTIVE,
            accept_within_hours=4, first_touch_within_hours=8, monthly_mql_target=2_000,
            monthly_sql_target=500, min_acceptance_rate="0.8",
            calendar={"timezone": "UTC", "working_hours": {k: [["00:00", "24:00"]]
                                                           for k in DAY_KEYS}},
            marketing_signed_at=now, sales_signed_at=now, activated_at=now,
        )  # fmt: skip
    copy_rows(Tenant, template=tenant.pk, source="generate_series(2, %(n)s) g",
              overrides={"slug": "'t' || g", "name": "'Tenant ' || g"},
              order="ORDER BY g", params={"n": tenants})  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE bench_tenant AS SELECT id AS tenant_id FROM tenancy_tenant")
    copy_rows(SlaVersion, template=version.pk,
              source="bench_tenant b", overrides={"tenant_id": "b.tenant_id"},
              order="AND b.tenant_id <> t.tenant_id")  # fmt: skip
    copy_rows(User, template=rep.user_id,
              source="bench_tenant b CROSS JOIN generate_series(0, %(reps)s) k",
              overrides={"email": "'rep' || k || '@t' || b.tenant_id || '.example'",
                         "password": "'!'", "last_login": "NULL"},
              order="AND b.tenant_id <> %(bench)s", params={"reps": REPS - 1,
                                                          "bench": tenant.pk})  # fmt: skip
    with connection.cursor() as cursor:
        # Reps of every tenant, numbered 0..REPS-1: leads are routed by n mod REPS.
        cursor.execute(
            "CREATE TABLE bench_rep AS "
            "SELECT b.tenant_id, k, u.id AS user_id FROM bench_tenant b "
            "CROSS JOIN generate_series(0, %(last)s) k JOIN accounts_user u "
            "ON u.email = CASE WHEN b.tenant_id = %(bench)s THEN 'rep' || k || '@bench.example' "
            "ELSE 'rep' || k || '@t' || b.tenant_id || '.example' END",
            {"last": REPS - 1, "bench": tenant.pk},
        )
        cursor.execute(
            "CREATE TABLE bench_version AS SELECT tenant_id, id AS version_id "
            "FROM sla_slaversion WHERE status = 'active'"
        )
    copy_rows(Membership, template=rep.pk, source="bench_rep r",
              overrides={"tenant_id": "r.tenant_id", "user_id": "r.user_id"},
              order="AND r.tenant_id <> %(bench)s", params={"bench": tenant.pk})  # fmt: skip
    return {"tenant_id": tenant.pk, "now": now}


# What a lead is, by its number n mod 100 (the same mix in every tenant).
STAGE = ("CASE WHEN s.b < 55 THEN 'lead' WHEN s.b < 75 THEN 'mql' WHEN s.b < 85 THEN 'sql' "
         "WHEN s.b < 90 THEN 'opportunity' WHEN s.b < 93 THEN 'won' WHEN s.b < 95 THEN 'lost' "
         "ELSE 'recycled' END")  # fmt: skip
QUEUED = "s.b BETWEEN 75 AND 79"
# Every pending deadline lies days ahead: nothing but the 1,000 due rows is swept.
PENDING_DUE = "%(now)s + interval '2 days' + (s.n %% 1440) * interval '1 minute'"


def build_leads(*, tenant_id: int, per_tenant: int, now) -> int:
    from django.db import connection

    from leads.models import Lead
    from smarketing.tenancy.scope import tenant_scope

    with tenant_scope(tenant_id):
        template = Lead.objects.create(tenant_id=tenant_id, email="template@bench.example",
                                       stage="lead", stage_changed_at=now)  # fmt: skip
    created = "%(now)s - interval '365 days' * (1 - s.n::float / %(per)s) - interval '1 hour'"
    changed = (f"CASE WHEN s.b >= 75 AND s.b < 85 THEN %(now)s - (s.n %% 600) * interval "
               f"'1 minute' ELSE LEAST({created} + interval '2 days', %(now)s) END")  # fmt: skip
    overrides = {
        "tenant_id": "s.tenant_id",
        "email": "'lead' || s.n || '@t' || s.tenant_id || '.example'",
        "first_name": "(ARRAY['Ada','Bo','Cy','Di','Ed','Flo','Gus','Hal'])[1 + s.n %% 8]",
        "last_name": "(ARRAY['Ng','Ros','Berg','Kahn','Lund','Moss','Pike'])[1 + s.n %% 7]",
        "company": "'Company ' || (s.n %% 700)",
        "title": "(ARRAY['CTO','VP Sales','Analyst','CMO','Engineer'])[1 + s.n %% 5]",
        "country": "(ARRAY['DE','FR','IT','US','GB','ES','NL','SE'])[1 + s.n %% 8]",
        "company_size": "10 + s.n %% 5000",
        "stage": STAGE,
        "stage_changed_at": changed,
        "created_at": created,
        "updated_at": changed,
        "owner_id": "CASE WHEN s.b >= 78 THEN r.user_id END",
        "accepted_at": f"CASE WHEN s.b BETWEEN 80 AND 94 THEN {changed} END",
        "accept_due_at": f"CASE WHEN {QUEUED} THEN {PENDING_DUE} END",
        "accept_warn_at": f"CASE WHEN {QUEUED} THEN {PENDING_DUE} - interval '48 minutes' END",
        "score": "(s.n * 37) %% 101",
        "fit_score": "(s.n * 53) %% 101",
        "engagement_score": "(s.n * 29) %% 101",
        "last_activity_at": f"CASE WHEN s.b >= 55 THEN {changed} END",
    }
    total = 0
    step = max(1, CHUNK // max(1, _count_tenants()))
    for low in range(1, per_tenant + 1, step):
        high = min(per_tenant, low + step - 1)
        source = (
            "(SELECT n, b.tenant_id, n %% 100 AS b FROM generate_series(%(low)s, %(high)s) n "
            "CROSS JOIN bench_tenant b) s JOIN bench_rep r "
            "ON r.tenant_id = s.tenant_id AND r.k = s.n %% " + str(REPS)
        )
        total += copy_rows(Lead, template=template.pk, source=source, overrides=overrides,
                           order="ORDER BY s.n, s.tenant_id",
                           params={"low": low, "high": high, "now": now,
                                   "per": per_tenant})  # fmt: skip
        log(f"leads {total:,}")
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM leads_lead WHERE id = %s", [template.pk])
    return total


def _count_tenants() -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM bench_tenant")
        return cursor.fetchone()[0]


def _id_ranges(table: str, parts: int = 10) -> list[tuple[int, int]]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT min(id), max(id) FROM {table}")
        low, high = cursor.fetchone()
    size = (high - low) // parts + 1
    return [(start, start + size - 1) for start in range(low, high + 1, size)]


def build_history(*, now) -> dict:
    """Stage transitions, obligations, breaches: derived from each lead's stage."""
    from django.db import connection

    # The hand-off time H: the stage change of queued and accepted SQLs, else a day after
    # the lead came in. Answers follow it by an hour, opportunities by days.
    hand_off = ("CASE WHEN l.stage = 'sql' THEN l.stage_changed_at "
                "ELSE LEAST(l.created_at + interval '1 day', %(now)s) END")  # fmt: skip
    steps = (
        "(VALUES ('move', 'lead', 'mql', interval '-1 day', 'mql'), "
        " ('move', 'mql', 'sql', interval '0', 'sql'), "
        " ('accept', 'sql', 'sql', interval '1 hour', 'accept'), "
        " ('reject', 'sql', 'recycled', interval '1 hour', 'reject'), "
        " ('move', 'sql', 'opportunity', interval '3 days', 'opp'), "
        " ('move', 'opportunity', 'won', interval '20 days', 'won'), "
        " ('move', 'opportunity', 'lost', interval '20 days', 'lost')) "
        "AS v(action, from_stage, to_stage, after, step)"
    )
    wanted = (
        "(v.step = 'mql' AND l.stage <> 'lead') "
        "OR (v.step = 'sql' AND l.stage NOT IN ('lead', 'mql')) "
        "OR (v.step = 'accept' AND l.accepted_at IS NOT NULL) "
        "OR (v.step = 'reject' AND l.stage = 'recycled') "
        "OR (v.step = 'opp' AND l.stage IN ('opportunity', 'won', 'lost')) "
        "OR (v.step = l.stage AND l.stage IN ('won', 'lost'))"
    )
    counts = {"transitions": 0, "obligations": 0}
    with connection.cursor() as cursor:
        for low, high in _id_ranges("leads_lead"):
            params = {"now": now, "low": low, "high": high}
            cursor.execute(
                "INSERT INTO leads_stagetransition (tenant_id, lead_id, action, from_stage, "
                "to_stage, actor_id, actor_label, reason_code, note, amount, at) "
                "SELECT l.tenant_id, l.id, v.action, v.from_stage, v.to_stage, NULL, 'bench', "
                "  CASE WHEN v.action = 'reject' THEN (ARRAY['bad_fit', 'no_budget', "
                "    'wrong_contact', 'no_interest'])[1 + l.id %% 4] ELSE '' END, '', NULL, "
                f"  LEAST({hand_off} + v.after, %(now)s) "
                f"FROM leads_lead l CROSS JOIN {steps} "
                f"WHERE l.id BETWEEN %(low)s AND %(high)s AND ({wanted}) "
                "ORDER BY l.id, v.after",
                params,
            )  # fmt: skip
            counts["transitions"] += cursor.rowcount
            # accept: every SQL handed off; first touch: every accepted one. Pending while
            # the SQL waits (or, for first touch, while it is accepted and still an SQL);
            # one in eight answered late (breached, then met), the rest met on time.
            cursor.execute(
                "INSERT INTO sla_obligation (tenant_id, lead_id, version_id, kind, status, "
                "owner_id, within_hours, is_hot, opened_at, due_at, warn_at, warned_at, met_at, "
                "breached_at, cancelled_at, response_business_hours) "
                "SELECT o.tenant_id, o.lead_id, o.version_id, o.kind, o.status, o.owner_id, "
                "  o.within, false, o.opened, "
                "  CASE WHEN o.status = 'pending' THEN o.due ELSE o.opened + o.within * "
                "    interval '1 hour' END, "
                "  CASE WHEN o.status = 'pending' THEN o.due - interval '48 minutes' "
                "    ELSE o.opened + o.within * 0.8 * interval '1 hour' END, "
                "  NULL, "
                "  CASE WHEN o.status <> 'pending' THEN o.opened + o.hours * interval '1 hour' END,"
                "  CASE WHEN o.status = 'breached' THEN o.opened + o.within * interval '1 hour' "
                "  END, NULL, CASE WHEN o.status <> 'pending' THEN o.hours END "
                "FROM (SELECT l.tenant_id, l.id AS lead_id, bv.version_id, k.kind, k.within, "
                "        CASE WHEN (k.kind = 'accept' AND l.stage = 'sql' "
                "                   AND l.accepted_at IS NULL) "
                "              OR (k.kind = 'first_touch' AND l.stage = 'sql') THEN 'pending' "
                "             WHEN l.id %% 8 = 0 THEN 'breached' ELSE 'met' END AS status, "
                "        l.owner_id, "
                f"       {hand_off} + k.lag AS opened, "
                "        COALESCE(l.accept_due_at, %(now)s + interval '2 days' "
                "          + (l.id %% 1440) * interval '1 minute') AS due, "
                "        CASE WHEN l.id %% 8 = 0 THEN k.within * 1.25 "
                "          ELSE (l.id %% 35) / 10.0 * k.within / 4 END AS hours "
                "      FROM leads_lead l JOIN bench_version bv ON bv.tenant_id = l.tenant_id "
                "      CROSS JOIN (VALUES ('accept', 4, interval '0'), "
                "                         ('first_touch', 8, interval '1 hour')) "
                "        AS k(kind, within, lag) "
                "      WHERE l.id BETWEEN %(low)s AND %(high)s "
                "        AND l.stage NOT IN ('lead', 'mql') "
                "        AND (k.kind = 'accept' OR l.accepted_at IS NOT NULL)) o "
                "ORDER BY o.lead_id, o.kind",
                params,
            )  # fmt: skip
            counts["obligations"] += cursor.rowcount
            log(f"history up to lead {high:,}: {counts}")
        cursor.execute(
            "INSERT INTO sla_breach (tenant_id, obligation_id, lead_id, kind, owner_id, due_at, "
            "breached_at, escalated_to, rerouted_to_id) "
            "SELECT tenant_id, id, lead_id, kind, owner_id, due_at, breached_at, '[]', NULL "
            "FROM sla_obligation WHERE status = 'breached' ORDER BY id"
        )
        counts["breaches"] = cursor.rowcount
    return counts


def build_rollups(*, tenant_id: int, now) -> dict:
    """The measured tenant's through the service; the others' by one aggregate each (the
    same figures per UTC day, rep and kind): they only need to be there, in the numbers."""
    from django.db import connection

    from sla.services import compliance_rollups_build

    started = time.perf_counter()
    compliance_rollups_build(tenant_id=tenant_id, full=True, now=now)
    service_seconds = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO sla_obligationrollup (tenant_id, day, kind, owner_id, opened, "
            "met_on_time, met_late, breached, cancelled, response_hours_sum, "
            "response_hundredths) "
            "SELECT tenant_id, (opened_at AT TIME ZONE 'UTC')::date, kind, owner_id, count(*), "
            "  count(*) FILTER (WHERE status = 'met'), "
            "  count(*) FILTER (WHERE status = 'breached' AND met_at IS NOT NULL), "
            "  count(*) FILTER (WHERE status = 'breached'), "
            "  count(*) FILTER (WHERE status = 'cancelled'), "
            "  coalesce(sum(response_business_hours), 0), "
            "  coalesce(jsonb_agg(round(response_business_hours * 100)::int "
            "    ORDER BY response_business_hours) "
            "    FILTER (WHERE response_business_hours IS NOT NULL), '[]') "
            "FROM sla_obligation WHERE tenant_id <> %(bench)s AND opened_at < %(fresh)s "
            "GROUP BY 1, 2, 3, 4",
            {"bench": tenant_id, "fresh": now},
        )
        cursor.execute(
            "INSERT INTO sla_funnelrollup (tenant_id, day, mqls, sql_handoffs, accepted, "
            "rejected, rejected_by_reason) "
            "SELECT tenant_id, (at AT TIME ZONE 'UTC')::date, "
            "  count(*) FILTER (WHERE action = 'move' AND to_stage = 'mql'), "
            "  count(*) FILTER (WHERE action = 'move' AND to_stage = 'sql'), "
            "  count(*) FILTER (WHERE action = 'accept'), "
            "  count(*) FILTER (WHERE action = 'reject'), '{}' "
            "FROM leads_stagetransition WHERE tenant_id <> %(bench)s AND at < %(fresh)s "
            "GROUP BY 1, 2",
            {"bench": tenant_id, "fresh": now},
        )
        cursor.execute(
            "INSERT INTO sla_rollupstate (tenant_id, timezone, fresh_until, built_at) "
            "SELECT tenant_id, 'UTC', %(fresh)s, %(fresh)s FROM bench_tenant "
            "WHERE tenant_id <> %(bench)s",
            {"bench": tenant_id, "fresh": now},
        )
        cursor.execute("SELECT count(*) FROM sla_obligationrollup")
        rows = cursor.fetchone()[0]
    return {"measured_tenant_build_seconds": round(service_seconds, 1), "obligation_rows": rows}


def sizes() -> dict:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_database_size(current_database())")
        total = cursor.fetchone()[0]
        tables = {}
        for table in BIG_TABLES:
            cursor.execute(
                "SELECT (SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass), "
                "pg_relation_size(%s), pg_indexes_size(%s)",
                [table, table, table],
            )
            rows, heap, indexes = cursor.fetchone()
            tables[table] = {"rows": rows, "heap_mb": round(heap / 2**20),
                             "indexes_mb": round(indexes / 2**20)}  # fmt: skip
    return {"database_mb": round(total / 2**20), "tables": tables}


def vacuum_analyze(*tables: str) -> None:
    from django.db import connection

    connection.close()  # VACUUM cannot run inside the connection's transaction state
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"VACUUM ANALYZE {table}")


def role_build(per_tenant: int, tenants: int) -> dict:
    from smarketing.tenancy.scope import cross_tenant_scope

    timings = {}
    with cross_tenant_scope():
        started = time.perf_counter()
        ids = build_tenants(tenants)
        timings["tenants_and_people"] = time.perf_counter() - started
        with bulk_load(*BIG_TABLES[:4]):
            started = time.perf_counter()
            leads = build_leads(tenant_id=ids["tenant_id"], per_tenant=per_tenant,
                                now=ids["now"])  # fmt: skip
            timings["leads"] = time.perf_counter() - started
            started = time.perf_counter()
            history = build_history(now=ids["now"])
            timings["history"] = time.perf_counter() - started
            started = time.perf_counter()
        timings["indexes_and_constraints"] = time.perf_counter() - started
        started = time.perf_counter()
        vacuum_analyze(*BIG_TABLES[:4])
        timings["vacuum_analyze"] = time.perf_counter() - started
        started = time.perf_counter()
        rollups = build_rollups(tenant_id=ids["tenant_id"], now=ids["now"])
        vacuum_analyze("sla_obligationrollup", "sla_funnelrollup", "sla_rollupstate")
        timings["rollups"] = time.perf_counter() - started
        measured = sizes()
    return {
        "tenants": tenants, "leads": leads, **history, "rollups": rollups,
        "seconds": {name: round(value, 1) for name, value in timings.items()},
        "size": measured,
        "build_process_peak_rss_mb": round(
            resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }  # fmt: skip
