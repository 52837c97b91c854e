"""Reads of shared goals: the list, and the scoreboard of a period."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db.models import QuerySet
from django.utils import timezone

from leads.funnel.figures import flow_figures
from sla import selectors as sla_selectors
from sla import signoff
from sla.calendar import BusinessCalendar
from sla.goals.metrics import METRICS, Kind
from sla.goals.models import Goal
from sla.goals.status import GoalStatus, goal_status
from sla.pacing import business_share_elapsed, expected_by_now
from smarketing.periods import Period
from smarketing.tenancy.models import Tenant


def goal_list(*, period: Period | None = None) -> QuerySet[Goal]:
    """The current tenant's goals, newest period first, with their signers (a fixed number
    of queries for any page)."""
    goals = Goal.objects.select_related("marketing_signed_by", "sales_signed_by", "created_by")
    if period is not None:
        goals = goals.filter(period=period.label)
    return goals.order_by("-starts_on", "metric")


def pace_calendar(*, tenant: Tenant) -> BusinessCalendar:
    """The business calendar a goal's pace runs on: the SLA in force's, else the tenant's
    office hours, else weekdays 09:00-18:00 in the tenant's timezone."""
    version = sla_selectors.active_version()
    if version is not None:
        return version.business_calendar()
    office = sla_selectors.default_calendar()
    if office is not None:
        return office.business_calendar()
    return BusinessCalendar.default(tenant.timezone or "UTC")


@dataclass(frozen=True)
class GoalScore:
    goal: Goal
    actual: Decimal | None
    expected_by_now: Decimal
    status: GoalStatus

    @property
    def in_effect(self) -> bool:
        return signoff.is_signed_by_both(self.goal)

    @property
    def kind(self) -> Kind:
        return METRICS[self.goal.metric].kind


@dataclass(frozen=True)
class Scoreboard:
    period: Period
    now: datetime
    elapsed_share: float  # of the period's business time
    scores: list[GoalScore]


def _rounded(value: Decimal, kind: Kind) -> Decimal:
    return value.quantize(Decimal("0.001") if kind is Kind.RATE else Decimal("0.01"))


def goal_scoreboard(*, tenant: Tenant, period: Period, now: datetime | None = None) -> Scoreboard:
    """Each goal of `period` with its actual (the funnel's figures of the period so far),
    the figure expected by now (`sla.pacing`: the target prorated by business time; a rate
    is a level, expected in full) and its status (`sla.goals.status`).

    Goals not yet signed by both sides are scored too, so both teams see what they would
    sign; `in_effect` tells them apart. Four queries whatever the number of goals.
    """
    now = now or timezone.now()
    goals = list(goal_list(period=period))
    calendar = pace_calendar(tenant=tenant)
    share = business_share_elapsed(period, now=now, calendar=calendar)
    figures = flow_figures(period) if goals else None
    ended = period.has_ended(now)
    scores = []
    for goal in goals:
        metric = METRICS[goal.metric]
        actual = metric.actual(figures)
        target = Decimal(goal.target)
        if metric.kind is Kind.RATE:
            expected = target
        else:
            paced = expected_by_now(float(target), period, now=now, calendar=calendar)
            expected = Decimal(str(paced))
        expected = _rounded(expected, metric.kind)
        status = goal_status(kind=metric.kind, target=target, actual=actual, expected=expected,
                             ended=ended)  # fmt: skip
        scores.append(GoalScore(goal=goal, actual=actual, expected_by_now=expected, status=status))
    return Scoreboard(period=period, now=now, elapsed_share=share, scores=scores)
