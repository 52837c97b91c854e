"""The goals page: each goal of a period as target, actual and pace (charts drawn from the
scoreboard API), sign buttons, and the form managers and admins set goals with.

Thin: the form parses, `sla.goals.services` decides, `goal_signable_sides` says which
buttons to show, and the scoreboard selector says how each goal stands.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views import View

from sla import signoff
from sla.goals import selectors, services
from sla.goals.errors import InvalidGoalData
from sla.goals.forms import GoalForm
from sla.goals.metrics import Kind
from sla.goals.models import Goal
from smarketing.errors import DomainError
from smarketing.periods import InvalidPeriod, Period, current_month, month_of, parse_named
from smarketing.periods import quarter_of as quarter_containing
from smarketing.tenancy.actors import Actor
from smarketing.tenancy.views import TenantPageMixin

MONTHS_BACK, MONTHS_AHEAD = 3, 6
STATUS_LABELS = {"on_track": "On track", "at_risk": "At risk", "met": "Met", "missed": "Missed"}


def _months(tz_name: str) -> list[Period]:
    month = current_month(tz_name)
    back = [month]
    for _ in range(MONTHS_BACK):
        back.insert(0, back[0].previous())
    ahead = [month]
    for _ in range(MONTHS_AHEAD):
        ahead.append(month_of(ahead[-1].last_day + timedelta(days=1), ahead[-1].tz_name))
    return back + ahead[1:]


def _quarters(tz_name: str) -> list[Period]:
    quarter = quarter_containing(current_month(tz_name).first_day, tz_name)
    after = quarter_containing(quarter.last_day + timedelta(days=1), tz_name)
    return [quarter.previous(), quarter, after]


def period_choices(tz_name: str, *, open_only: bool) -> list[tuple[str, str]]:
    """Recent and coming months and quarters; only those not ended when `open_only`."""
    now = timezone.now()
    periods = [*_months(tz_name), *_quarters(tz_name)]
    return [
        (period.label, _period_name(period))
        for period in periods
        if not (open_only and period.has_ended(now))
    ]


def _period_name(period: Period) -> str:
    if "Q" in period.label:
        return f"{period.label[-2:]} {period.first_day.year}"
    return period.first_day.strftime("%B %Y")


def shown(value: Decimal | None, kind: Kind) -> str:
    """A figure as people read it: 60 % for a rate, 12,500.00 for an amount, 120 for a count."""
    if value is None:
        return "—"
    if kind is Kind.RATE:
        return f"{value * 100:.1f} %".replace(".0 %", " %")
    if kind is Kind.MONEY:
        return f"{value:,.2f}"
    return f"{value:,.0f}" if value == value.to_integral_value() else f"{value:,.2f}"


def _goals_url(request, period: str) -> str:
    return f"{reverse('goals:list', args=[request.tenant.slug])}?period={period}"


class GoalsView(TenantPageMixin, View):
    """GET: the goals of a period (default: this month). POST: set a goal."""

    template_name = "goals/list.html"
    post_capability = "goals.manage"

    def _period(self) -> Period:
        tz_name = self.request.tenant.timezone or "UTC"
        raw = self.request.GET.get("period")
        if raw:
            try:
                return parse_named(raw, tz_name=tz_name)
            except InvalidPeriod as error:
                messages.error(self.request, error.errors["period"][0])
        return current_month(tz_name)

    def show(self, *, period: Period, form: GoalForm | None = None, status: int = 200):
        request = self.request
        tz_name = request.tenant.timezone or "UTC"
        board = selectors.goal_scoreboard(tenant=request.tenant, period=period)
        may_set = services.may_set_goals(role=request.role)
        if may_set and form is None:
            open_periods = period_choices(tz_name, open_only=True)
            initial = period.label if period.label in dict(open_periods) else None
            form = GoalForm(periods=open_periods, initial={"period": initial})
        choices = period_choices(tz_name, open_only=False)
        if period.label not in dict(choices):
            choices.append((period.label, _period_name(period)))
        rows = [
            {"score": score, "status": STATUS_LABELS[score.status],
             "target": shown(score.goal.target, score.kind),
             "actual": shown(score.actual, score.kind),
             "expected": shown(score.expected_by_now, score.kind),
             "sign_sides": services.goal_signable_sides(
                 goal=score.goal, tz_name=tz_name, role=request.role, user_id=request.user.pk)}
            for score in board.scores
        ]  # fmt: skip
        context = {
            "period": period, "period_name": _period_name(period), "board": board, "rows": rows,
            "period_choices": choices, "form": form if may_set else None,
            "ended": period.has_ended(board.now),
        }  # fmt: skip
        return render(request, self.template_name, context, status=status)

    def get(self, request):
        return self.show(period=self._period())

    def post(self, request):
        tz_name = request.tenant.timezone or "UTC"
        form = GoalForm(request.POST, periods=period_choices(tz_name, open_only=True))
        period = self._period()
        if not form.is_valid():
            return self.show(period=period, form=form, status=400)
        try:
            goal = services.goal_create(
                tenant=request.tenant, actor=Actor.from_request(request), **form.cleaned_data
            )
        except InvalidGoalData as error:
            for field, problems in error.errors.items():
                form.add_error(field if field in form.fields else None, problems[0])
            return self.show(period=period, form=form, status=400)
        except DomainError as error:
            form.add_error(None, error.detail)
            return self.show(period=period, form=form, status=400)
        messages.success(request, f"Goal set for {goal.period}: both teams sign it next.")
        return redirect(_goals_url(request, goal.period))


class GoalSignView(TenantPageMixin, View):
    """A sign button: the goal is found in the tenant (else 404), then the service decides."""

    model = Goal
    post_capability = "goals.sign"

    def post(self, request, pk: int):
        goal = self.page_object
        side = request.POST.get("side") or None
        try:
            services.goal_sign(goal=goal, actor=Actor.from_request(request), side=side)
        except DomainError as error:
            messages.error(request, error.detail)
        else:
            chosen = signoff.side_for(role=request.role, requested=side)
            messages.success(request, f"Signed for {chosen}.")
        return redirect(_goals_url(request, goal.period))
