"""Factories of shared goals: a goal of the current month in the tenant's calendar."""

from decimal import Decimal

import factory

from sla.goals.models import Goal
from smarketing.periods import current_month
from tests.factories import TenantFactory, TenantScopedFactory


class GoalFactory(TenantScopedFactory):
    """`GoalFactory(tenant=t, metric="mqls", target=100)`; `period` defaults to this month."""

    class Meta:
        model = Goal

    class Params:
        month = factory.LazyAttribute(lambda o: current_month(o.tenant.timezone or "UTC"))

    tenant = factory.SubFactory(TenantFactory)
    period = factory.LazyAttribute(lambda o: o.month.label)
    starts_on = factory.LazyAttribute(lambda o: o.month.first_day)
    ends_on = factory.LazyAttribute(lambda o: o.month.last_day)
    metric = "mqls"
    target = Decimal("100")
    owner = "marketing"
