"""March 2027 and the ways the shortfall tests arrange marketing's month: the SLA in force,
the moves counted, the events announced."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from leads.models import Stage, TransitionAction
from sla.services import marketing_shortfalls_sweep
from smarketing.events.models import OutboxEvent
from tests.leads.factories import LeadFactory, StageTransitionFactory
from tests.scopes import deployed
from tests.sla.factories import SlaVersionFactory

sweep = deployed(marketing_shortfalls_sweep)

# March 2027 in UTC on a calendar that never closes: business share = plain share of time.
MARCH_START = datetime(2027, 3, 1, tzinfo=UTC)
MID_MARCH = datetime(2027, 3, 16, 12, tzinfo=UTC)  # exactly half of March
APRIL_START = datetime(2027, 4, 1, tzinfo=UTC)


def in_force(tenant, since=MARCH_START + timedelta(days=1), **terms):
    """The tenant's SLA in force since `since` (by default from 2 March: February, which
    it did not see end, is not its to judge)."""
    terms.setdefault("monthly_mql_target", 100)
    terms.setdefault("monthly_sql_target", 0)
    terms.setdefault("min_acceptance_rate", Decimal("0"))
    return SlaVersionFactory(tenant=tenant, active=True, activated_at=since, **terms)


def moves(tenant, count: int, *, at: datetime, to=Stage.MQL, action=TransitionAction.MOVE,
          reason_code=""):  # fmt: skip
    for _ in range(count):
        lead = LeadFactory(tenant=tenant)
        StageTransitionFactory(lead=lead, tenant=tenant, action=action, to_stage=to, at=at,
                               reason_code=reason_code)  # fmt: skip


def events(event_type):
    return [e.data for e in OutboxEvent.all_tenants.filter(event_type=event_type).order_by("id")]
