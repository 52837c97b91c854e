"""Factories of shared goals: by default each goal on a month of its own, from this one on,
so that any number of them keeps one goal per metric and period."""

from datetime import date
from decimal import Decimal

import factory

from sla.goals.models import Goal
from smarketing.periods import Period, current_month, month_of, parse_named
from tests.factories import TenantFactory, TenantScopedFactory


def months_ahead(tz_name: str, count: int) -> Period:
    first = current_month(tz_name).first_day
    index = first.year * 12 + first.month - 1 + count
    return month_of(date(index // 12, index % 12 + 1, 1), tz_name)


class GoalFactory(TenantScopedFactory):
    """`GoalFactory(tenant=t, period="2027-01", metric="mqls", target=100)`."""

    class Meta:
        model = Goal

    class Params:
        month = factory.LazyAttributeSequence(lambda o, n: months_ahead(o.tenant.timezone, n))

    tenant = factory.SubFactory(TenantFactory)
    period = factory.LazyAttribute(lambda o: o.month.label)
    starts_on = factory.LazyAttribute(lambda o: _named(o).first_day)
    ends_on = factory.LazyAttribute(lambda o: _named(o).last_day)
    metric = "mqls"
    target = Decimal("100")
    owner = "marketing"


def _named(goal) -> Period:
    """The days of the goal's period as given (a test may name any month or quarter)."""
    return parse_named(goal.period, tz_name=goal.tenant.timezone)
