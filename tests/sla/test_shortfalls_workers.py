"""Marketing's shortfalls exactly once with real Celery workers, Redis and PostgreSQL: two
SLA sweeps at once, on two workers, record and announce each shortfall once."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from leads.models import Stage, TransitionAction
from sla.models import ClosedPeriod, Shortfall
from smarketing.events.models import OutboxEvent
from smarketing.periods import current_month
from tests.factories import TenantFactory
from tests.leads.factories import LeadFactory, StageTransitionFactory
from tests.sla.factories import SlaVersionFactory
from tests.sla.test_sweep_workers import (  # noqa: F401  (fixtures)
    broker,
    send_sweep,
    start_worker,
    wait_for,
)

pytestmark = [
    pytest.mark.celery_worker,
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.django_db(transaction=True),
]

TENANTS = 12
# Per tenant: last month's MQLs, hand-offs and acceptance rate missed, this month's two
# volumes at risk (judged from the first minute, with no tolerance).
PER_TENANT = {"sla.marketing_missed": 3, "sla.marketing_at_risk": 2}


@pytest.fixture
def tenants_behind():
    made = []
    for index in range(TENANTS):
        tenant = TenantFactory(slug=f"behind-{index}", timezone="UTC")
        month = current_month("UTC")
        since = month.previous().start - timedelta(days=1)
        SlaVersionFactory(tenant=tenant, active=True, activated_at=since,
                          monthly_mql_target=10, monthly_sql_target=5,
                          min_acceptance_rate=Decimal("0.6"), acceptance_min_decided=1,
                          pacing_tolerance=Decimal("0"),
                          pacing_min_elapsed=Decimal("0"))  # fmt: skip
        lead = LeadFactory(tenant=tenant)
        StageTransitionFactory(lead=lead, tenant=tenant, action=TransitionAction.REJECT,
                               from_stage=Stage.SQL, to_stage=Stage.RECYCLED,
                               reason_code="bad_fit",
                               at=month.previous().start + timedelta(days=3))  # fmt: skip
        made.append(tenant)
    return made


def test_two_workers_sweeping_at_once_record_and_announce_each_shortfall_once(
    tenants_behind,
    start_worker,  # noqa: F811  (the fixture imported above)
):
    workers = [start_worker("one"), start_worker("two")]
    # Each write transaction is held open a moment: the sweeps meet on the same tenants.
    send_sweep(batch_pause_seconds=0.05)
    send_sweep(batch_pause_seconds=0.05)
    wait_for(lambda: sum(len(w.sweeps()) for w in workers) == 2, timeout=180,
             what="both sweeps to finish")  # fmt: skip

    sweeps = [sweep for worker in workers for sweep in worker.sweeps()]
    assert all(worker.sweeps() for worker in workers), "one worker ran both sweeps"
    keys = Counter(
        Shortfall.all_tenants.values_list("tenant_id", "version_id", "period", "term", "status")
    )
    assert len(keys) == TENANTS * sum(PER_TENANT.values())
    assert set(keys.values()) == {1}
    for event_type, per_tenant in PER_TENANT.items():
        announced = Counter(
            event.data["id"] for event in OutboxEvent.all_tenants.filter(event_type=event_type)
        )
        assert len(announced) == TENANTS * per_tenant
        assert set(announced.values()) == {1}, f"{event_type} announced twice"
    assert sum(sweep["missed"] for sweep in sweeps) == TENANTS * PER_TENANT["sla.marketing_missed"]
    assert sum(sweep["at_risk"] for sweep in sweeps) == TENANTS * 2
    assert sum(sweep["closed"] for sweep in sweeps) == TENANTS == ClosedPeriod.all_tenants.count()
    assert all(s.recorded_at <= timezone.now() for s in Shortfall.all_tenants.all())
