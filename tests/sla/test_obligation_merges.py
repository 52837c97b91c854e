"""A merged lead waits in the sales queue by the accept deadline it still owes."""

from datetime import UTC, datetime, timedelta

import pytest

from leads.models import Lead
from sla.services.merges import obligations_merge
from smarketing.tenancy.scope import tenant_scope
from tests.sla.factories import ObligationFactory

pytestmark = pytest.mark.django_db

MONDAY = datetime(2027, 3, 22, 10, 0, tzinfo=UTC)


def queue_deadline(lead):
    return Lead.all_tenants.values_list("accept_due_at", "accept_warn_at").get(pk=lead.pk)


def test_the_survivor_keeps_its_own_pending_accept_deadline_in_the_queue(tenant, active_sla):
    active_sla()
    waiting = ObligationFactory(tenant=tenant, opened_at=MONDAY)  # due 14:00, warned 13:12
    # The other lead was accepted last week: its accept answered, its first touch owed.
    last_week = MONDAY - timedelta(days=7)
    answered = ObligationFactory(tenant=tenant, status="met", opened_at=last_week,
                                 met_at=last_week + timedelta(hours=1))  # fmt: skip
    ObligationFactory(tenant=tenant, lead=answered.lead, kind="first_touch",
                      opened_at=MONDAY - timedelta(days=6))  # fmt: skip
    # Another SQL of the tenant, its queue copy written by hand to see whether a merge writes it.
    elsewhere = ObligationFactory(tenant=tenant, opened_at=MONDAY)
    Lead.all_tenants.filter(pk=elsewhere.lead_id).update(accept_due_at=None, accept_warn_at=None)

    with tenant_scope(tenant):
        obligations_merge(survivor_id=waiting.lead_id, other_id=answered.lead_id, now=MONDAY)

    assert queue_deadline(waiting.lead) == (waiting.due_at, waiting.warn_at)
    assert queue_deadline(elsewhere.lead) == (None, None)  # not one of the merged leads
