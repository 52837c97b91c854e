"""On real PostgreSQL: the scale benchmark builds what it claims, so its two builds compare
like with like (the measured tenant's data is the same, only the other tenants grow)."""

from datetime import timedelta

import pytest
from django.db import connection

from bench import scale as _entry  # noqa: F401  (puts bench/ on the path its parts import from)
from bench import scale_bulk as bulk
from bench import scale_data as scale
from smarketing.tenancy.services import tenant_create

pytestmark = pytest.mark.postgres

PER_TENANT = 200
TENANTS = 3


def _schema() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexdef FROM pg_indexes WHERE tablename = ANY(%s) UNION ALL "
            "SELECT conname || pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = ANY(%s::regclass[]) ORDER BY 1",
            [list(scale.BIG_TABLES[:4]), list(scale.BIG_TABLES[:4])],
        )
        return [row[0] for row in cursor.fetchall()]


def _rows(sql: str, params=None) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


@pytest.fixture
def built(db):
    tenant_create(slug="bench", name="Bench Inc")
    ids = scale.build_tenants(TENANTS)
    with bulk.bulk_load(*scale.BIG_TABLES[:4]):
        scale.build_leads(tenant_id=ids["tenant_id"], per_tenant=PER_TENANT, now=ids["now"])
        scale.build_history(now=ids["now"])
    return ids


def test_every_tenant_holds_the_same_leads_history_and_obligations(built):
    per_tenant = _rows(
        "SELECT l.tenant_id, l.stage, l.accepted_at IS NOT NULL, count(*), "
        "  (SELECT count(*) FROM leads_stagetransition t WHERE t.tenant_id = l.tenant_id), "
        "  (SELECT count(*) FROM sla_obligation o WHERE o.tenant_id = l.tenant_id "
        "     AND o.status = 'pending') "
        "FROM leads_lead l GROUP BY 1, 2, 3 ORDER BY 2, 3, 1"
    )
    tenants = {row[0] for row in per_tenant}
    assert len(tenants) == TENANTS
    mixes = {
        tenant: sorted(row[1:] for row in per_tenant if row[0] == tenant) for tenant in tenants
    }
    first = mixes[built["tenant_id"]]
    assert all(mix == first for mix in mixes.values())
    stages = {}
    for stage, _accepted, count, *_ in first:
        stages[stage] = stages.get(stage, 0) + count
    # The documented mix, per 100 leads: 55 leads, 20 MQLs, 10 SQLs (5 queued, 5 accepted),
    # 5 opportunities, 3 won, 2 lost, 5 recycled.
    assert stages == {"lead": 110, "mql": 40, "sql": 20, "opportunity": 10, "won": 6,
                      "lost": 4, "recycled": 10}  # fmt: skip


def test_no_deadline_or_warning_falls_due_during_a_run_but_the_injected_ones(built):
    soon = built["now"] + timedelta(days=1)
    due = _rows(
        "SELECT count(*) FILTER (WHERE due_at <= %s), count(*) FILTER (WHERE warn_at <= %s), "
        "count(*) FROM sla_obligation WHERE status = 'pending'",
        [soon, soon],
    )[0]
    # 10 queued SQLs (accept) and 10 accepted ones (first touch) per 200 leads, per tenant.
    assert due == (0, 0, 2 * 10 * TENANTS)


def test_every_queued_sql_has_its_pending_accept_obligation_at_the_same_deadline(built):
    mismatched = _rows(
        "SELECT l.id FROM leads_lead l LEFT JOIN sla_obligation o ON o.lead_id = l.id "
        "AND o.kind = 'accept' AND o.status = 'pending' "
        "WHERE l.stage = 'sql' AND l.accepted_at IS NULL "
        "AND (o.id IS NULL OR o.due_at <> l.accept_due_at)"
    )
    assert mismatched == []


def test_bulk_loading_puts_back_every_index_and_constraint_of_the_migrated_schema(db):
    migrated = _schema()
    with bulk.bulk_load(*scale.BIG_TABLES[:4]):
        during = _schema()
    # The primary keys alone stay (each as its index and its constraint).
    assert len(during) == 2 * len(scale.BIG_TABLES[:4])
    assert all("pkey" in definition or "PRIMARY KEY" in definition for definition in during)
    assert bulk._canonical(_schema()) == bulk._canonical(migrated)
