"""Factories of the SLA app. Each takes `tenant`; related rows follow the same tenant."""

import datetime
from datetime import timedelta
from decimal import Decimal

import factory
from django.utils import timezone

from sla.calendar import DAY_KEYS
from sla.models import (
    Breach,
    FunnelRollup,
    Obligation,
    ObligationRollup,
    RollupDirtyDay,
    RollupState,
    Shortfall,
    SlaStatus,
    SlaVersion,
    TenantCalendar,
)
from tests.factories import TenantFactory, TenantScopedFactory, UserFactory
from tests.leads.factories import LeadFactory

# Deadlines in tests are easy to read on a calendar that never closes: due = opened + hours.
ALWAYS_OPEN = {
    "timezone": "UTC",
    "holiday_country": None,
    "closed_days": [],
    "working_hours": {key: [["00:00", "24:00"]] for key in DAY_KEYS},
}
ROME_OFFICE = {
    "timezone": "Europe/Rome",
    "holiday_country": "IT",
    "closed_days": [],
    "working_hours": {**{key: [["09:00", "18:00"]] for key in DAY_KEYS[:5]}, "sat": [], "sun": []},
}


def _next_number(tenant) -> int:
    last = SlaVersion.all_tenants.filter(tenant=tenant).order_by("-number").first()
    return last.number + 1 if last else 1


class TenantCalendarFactory(TenantScopedFactory):
    class Meta:
        model = TenantCalendar

    tenant = factory.SubFactory(TenantFactory)
    definition = factory.LazyFunction(lambda: dict(ROME_OFFICE))
    # Every tenant has its default office hours already; factory-made ones are extra.
    name = factory.Sequence(lambda n: f"Calendar {n}")
    is_default = False


class SlaVersionFactory(TenantScopedFactory):
    """A draft by default; `SlaVersionFactory(tenant=t, active=True)` is signed and in force."""

    class Meta:
        model = SlaVersion

    class Params:
        active = factory.Trait(
            status=SlaStatus.ACTIVE,
            marketing_signed_by=factory.SubFactory(UserFactory),
            marketing_signed_at=factory.LazyFunction(timezone.now),
            sales_signed_by=factory.SubFactory(UserFactory),
            sales_signed_at=factory.LazyFunction(timezone.now),
            activated_at=factory.LazyFunction(timezone.now),
        )

    tenant = factory.SubFactory(TenantFactory)
    number = factory.LazyAttribute(lambda o: _next_number(o.tenant))
    name = factory.Sequence(lambda n: f"SLA {n}")
    accept_within_hours = Decimal("4")
    first_touch_within_hours = Decimal("8")
    cold_after_days = factory.LazyFunction(dict)
    calendar = factory.LazyFunction(lambda: dict(ALWAYS_OPEN))


def _active_version(tenant) -> SlaVersion:
    found = SlaVersion.all_tenants.filter(tenant=tenant, status=SlaStatus.ACTIVE).first()
    return found or SlaVersionFactory(tenant=tenant, active=True)


class ObligationFactory(TenantScopedFactory):
    class Meta:
        model = Obligation

    tenant = factory.SubFactory(TenantFactory)
    lead = factory.SubFactory(LeadFactory, tenant=factory.SelfAttribute("..tenant"), stage="sql")
    version = factory.LazyAttribute(lambda o: _active_version(o.tenant))
    kind = "accept"
    status = "pending"
    within_hours = Decimal("4")
    opened_at = factory.LazyFunction(timezone.now)
    due_at = factory.LazyAttribute(lambda o: o.opened_at + timedelta(hours=4))
    warn_at = factory.LazyAttribute(lambda o: o.opened_at + timedelta(hours=3.2))


class BreachFactory(TenantScopedFactory):
    class Meta:
        model = Breach

    tenant = factory.SubFactory(TenantFactory)
    obligation = factory.SubFactory(
        ObligationFactory,
        tenant=factory.SelfAttribute("..tenant"),
        status="breached",
        breached_at=factory.LazyFunction(timezone.now),
    )
    lead = factory.SelfAttribute("obligation.lead")
    kind = factory.SelfAttribute("obligation.kind")
    owner = factory.SelfAttribute("obligation.owner")
    due_at = factory.SelfAttribute("obligation.due_at")
    breached_at = factory.LazyFunction(timezone.now)


class ObligationRollupFactory(TenantScopedFactory):
    class Meta:
        model = ObligationRollup

    tenant = factory.SubFactory(TenantFactory)
    day = factory.LazyFunction(lambda: timezone.now().date())
    kind = "accept"
    owner = None
    opened = 3
    met_on_time = 2
    breached = 1
    response_hours_sum = 4.5
    response_hundredths = factory.LazyFunction(lambda: [100, 150, 200])


class FunnelRollupFactory(TenantScopedFactory):
    class Meta:
        model = FunnelRollup

    tenant = factory.SubFactory(TenantFactory)
    day = factory.LazyFunction(lambda: timezone.now().date())
    mqls = 5
    sql_handoffs = 3
    accepted = 2
    rejected = 1
    rejected_by_reason = factory.LazyFunction(lambda: {"bad_fit": 1})


class RollupStateFactory(TenantScopedFactory):
    class Meta:
        model = RollupState

    tenant = factory.SubFactory(TenantFactory)
    # Before `timezone` below, which shadows the module inside this class body.
    fresh_until = factory.LazyFunction(timezone.now)
    timezone = "Europe/Rome"


class RollupDirtyDayFactory(TenantScopedFactory):
    class Meta:
        model = RollupDirtyDay

    tenant = factory.SubFactory(TenantFactory)
    day = factory.LazyFunction(lambda: timezone.now().date())


class ShortfallFactory(TenantScopedFactory):
    class Meta:
        model = Shortfall

    tenant = factory.SubFactory(TenantFactory)
    version = factory.LazyAttribute(lambda o: _active_version(o.tenant))
    period = "2027-03"
    period_start = factory.LazyFunction(lambda: datetime.date(2027, 3, 1))
    term = "mqls"
    status = "missed"
    target = Decimal("100")
    actual = Decimal("60")
    recorded_at = factory.LazyFunction(timezone.now)
