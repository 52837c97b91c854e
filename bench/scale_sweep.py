"""The scale benchmark's sweep run: a child process set up for one database
(`bench/scale.py --role sweep`)."""

from __future__ import annotations

import time

from scale_data import DUE, vacuum_analyze


def role_sweep() -> dict:
    """1,000 of the tenant's obligations fall due; one sweep across all tenants breaches them."""
    from django.db import connection
    from django.utils import timezone

    from sla.services import sla_sweep
    from smarketing.tenancy.models import Tenant
    from smarketing.tenancy.scope import cross_tenant_scope

    with cross_tenant_scope():
        tenant_id = Tenant.objects.get(slug="bench").pk
        now = timezone.now()
        with connection.cursor() as cursor:
            # First touches owed on leads that have none pending (opportunities, won, lost,
            # recycled), due a second apart before now, warned already.
            cursor.execute(
                "INSERT INTO sla_obligation (tenant_id, lead_id, version_id, kind, status, "
                "owner_id, within_hours, is_hot, opened_at, due_at, warn_at, warned_at) "
                "SELECT l.tenant_id, l.id, bv.version_id, 'first_touch', 'pending', l.owner_id, "
                "  8, false, %(now)s - l.n * interval '1 second' - interval '8 hours', "
                "  %(now)s - l.n * interval '1 second', %(now)s - interval '2 hours', "
                "  %(now)s - interval '1 hour' "
                "FROM (SELECT id, tenant_id, owner_id, row_number() OVER (ORDER BY id) AS n "
                "      FROM leads_lead WHERE tenant_id = %(tenant)s "
                "        AND stage IN ('opportunity', 'won', 'lost', 'recycled')) l "
                "JOIN bench_version bv ON bv.tenant_id = l.tenant_id WHERE l.n <= %(due)s "
                "RETURNING id",
                {"now": now, "tenant": tenant_id, "due": DUE},
            )  # fmt: skip
            ids = [row[0] for row in cursor.fetchall()]
        assert len(ids) == DUE, len(ids)
        vacuum_analyze("sla_obligation", "sla_breach", "events_outboxevent")
        started = time.perf_counter()
        counts = sla_sweep()
        seconds = time.perf_counter() - started
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM sla_breach WHERE obligation_id = ANY(%s)", [ids])
            breaches = cursor.fetchone()[0]
            assert counts.breached == breaches == DUE, (counts, breaches)
            # Back to the data as built, for the next run and the other measures.
            cursor.execute("DELETE FROM sla_breach WHERE obligation_id = ANY(%s)", [ids])
            cursor.execute("DELETE FROM sla_obligation WHERE id = ANY(%s)", [ids])
            cursor.execute("DELETE FROM events_outboxevent WHERE event_type = 'sla.breached'")
            cursor.execute("DELETE FROM sla_rollupdirtyday")
        vacuum_analyze("sla_obligation", "sla_breach", "events_outboxevent")
    return {"seconds": seconds, "breached": counts.breached, "warned": counts.warned}
