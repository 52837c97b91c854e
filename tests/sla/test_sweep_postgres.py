"""On real PostgreSQL: the sweeps read partial indexes, and sweeps side by side split the work."""

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from bench.sla_data import add_obligations, copy_leads
from leads.models import Lead, Stage
from sla.models import Breach, Obligation
from sla.services import cold_leads_sweep, sla_sweep
from sla.services.breaches import claim_plan
from sla.services.cold import cold_plan
from smarketing.events.models import OutboxEvent
from smarketing.tenancy.scope import tenant_scope
from tests.leads.factories import LeadFactory
from tests.row_locks import row_locked
from tests.scopes import deployed

# Sweeps run from the deployed connection defaults, as Celery beat starts them.
sla_sweep = deployed(sla_sweep)
cold_leads_sweep = deployed(cold_leads_sweep)

pytestmark = pytest.mark.postgres


@pytest.fixture
def many_pending(tenant, active_sla):
    """3,000 pending obligations of which 20 are due (and 20 more past their warning mark)."""
    version = active_sla()
    template = LeadFactory(tenant=tenant, stage=Stage.SQL, email="template@bench.example")
    copy_leads(template=template, count=3000, prefix="p")
    now = timezone.now()
    add_obligations(tenant_id=tenant.pk, version_id=version.pk, prefix="p", due=20,
                    pending=3000, now=now)  # fmt: skip
    with connection.cursor() as cursor:
        # A few rows are near their deadline: past the 80% mark, not yet due.
        cursor.execute(
            "UPDATE sla_obligation SET warn_at = %s - interval '1 minute' "
            "WHERE id IN (SELECT id FROM sla_obligation WHERE due_at > %s ORDER BY id LIMIT 20)",
            [now, now],
        )
        cursor.execute("ANALYZE sla_obligation")
    return now


@pytest.mark.django_db
def test_the_breach_claim_reads_the_partial_index_on_pending_deadlines(many_pending):
    plan = claim_plan("breach", now=many_pending)
    assert "obligation_due_idx" in plan, plan
    first, *nodes = plan.splitlines()  # as psql prints it: one plan node or detail a line
    assert first.startswith("Update on sla_obligation"), plan
    assert all(line.startswith(" ") for line in nodes), plan
    assert "Seq Scan on sla_obligation" not in plan, plan
    # As the sweep runs it: a batch at most, its rows locked (and skipped when held).
    assert "Limit" in plan and "LockRows" in plan, plan


@pytest.mark.django_db
def test_the_warning_claim_reads_its_partial_index(many_pending):
    plan = claim_plan("warning", now=many_pending)
    assert "obligation_warn_idx" in plan, plan


@pytest.mark.django_db
def test_the_sweep_touches_only_what_is_due(many_pending):
    counts = sla_sweep(now=many_pending)
    assert (counts.breached, counts.warned) == (20, 20)
    assert Obligation.all_tenants.filter(status="pending").count() == 2980


@pytest.mark.django_db
def test_the_cold_lead_query_reads_its_partial_expression_index(tenant):
    template = LeadFactory(tenant=tenant, stage=Stage.MQL, email="template@bench.example")
    copy_leads(template=template, count=3000, prefix="c")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE leads_lead")
    with tenant_scope(tenant):
        plan = cold_plan(stage=Stage.MQL, cutoff=timezone.now() - timedelta(days=14))
    assert "sla_lead_cold_due_idx" in plan, plan
    assert "= 'mql'::text" in plan, plan  # the stage asked for
    assert "Limit" in plan and "LockRows" in plan, plan  # a batch at most, locked


@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_split_the_work_and_breach_each_once(tenant, active_sla):
    version = active_sla()
    template = LeadFactory(tenant=tenant, stage=Stage.SQL, email="template@bench.example")
    copy_leads(template=template, count=300, prefix="t")
    now = timezone.now()
    add_obligations(tenant_id=tenant.pk, version_id=version.pk, prefix="t", due=300,
                    pending=300, now=now)  # fmt: skip
    results = []
    barrier = threading.Barrier(2)

    def sweep():
        try:
            barrier.wait()
            results.append(sla_sweep(now=now, batch_size=10, batch_pause_seconds=0.01))
        finally:
            connection.close()

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(r.breached for r in results) != [0, 300], "the sweeps did not overlap"
    assert sum(r.breached for r in results) == 300
    assert Breach.all_tenants.count() == 300
    events = OutboxEvent.all_tenants.filter(event_type="sla.breached")
    assert events.count() == 300
    assert len({event.data["obligation"] for event in events}) == 300


@pytest.mark.django_db(transaction=True)
def test_the_cold_sweep_skips_a_lead_another_transaction_holds(tenant, active_sla):
    active_sla(cold_after_days={"mql": 14})
    quiet = timezone.now() - timedelta(days=20)
    held, free = (LeadFactory(tenant=tenant, stage=Stage.MQL, stage_changed_at=quiet)
                  for _ in range(2))  # fmt: skip
    with row_locked(Lead, held.pk, lock_timeout="2s"):
        assert cold_leads_sweep().cold == 1  # waiting for the lock would time out instead
    assert dict(Lead.all_tenants.values_list("pk", "is_cold")) == {held.pk: False, free.pk: True}
    assert cold_leads_sweep().cold == 1  # the next run takes it
