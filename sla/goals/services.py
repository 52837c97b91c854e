"""Every write of shared goals: setting one, and signing it for a side."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.utils import timezone

from sla import signoff
from sla.errors import SignNotAllowed
from sla.goals.errors import GoalDataConflict, GoalExists, InvalidGoalData, PeriodEnded
from sla.goals.metrics import METRICS, GoalMetric, GoalOwner
from sla.goals.models import Goal
from smarketing.errors import DomainError, raise_field_errors
from smarketing.periods import InvalidPeriod, Period, parse_named
from smarketing.tenancy.actors import Actor
from smarketing.tenancy.audit import audit_record
from smarketing.tenancy.models import Tenant
from smarketing.tenancy.roles import has_capability


def _ended_message(period: Period) -> str:
    return (
        f"{period.label} ended on {period.last_day:%d %b %Y}; "
        "set goals for the current period or one ahead."
    )


def may_set_goals(*, role: str | None) -> bool:
    """Managers and admins set goals; the page asks this to show its form."""
    return has_capability(role, "goals.manage")


@transaction.atomic
def goal_create(
    *,
    tenant: Tenant,
    actor: Actor,
    period: str,
    metric: str,
    target: Decimal | str | int,
    owner: str,
    now: datetime | None = None,
) -> Goal:
    """A goal for a month (`2027-01`) or a quarter (`2027-Q1`) of the tenant's calendar that
    has not ended. It takes effect once both teams signed it (`goal_sign`)."""
    if actor.is_system or not may_set_goals(role=actor.role):
        raise SignNotAllowed(f"Your role ({actor.role}) may not set goals.")
    now = now or timezone.now()
    errors: dict[str, list[str]] = {}
    conflicts: dict[str, list[str]] = {}
    parsed = None
    try:
        parsed = parse_named(period, tz_name=tenant.timezone)
    except InvalidPeriod as error:
        errors.update(error.errors)
    if parsed is not None and parsed.has_ended(now):
        conflicts["period"] = [_ended_message(parsed)]
    if metric not in METRICS:
        errors["metric"] = [f"Use one of: {', '.join(GoalMetric.values)}."]
    if owner not in GoalOwner.values:
        errors["owner"] = [f"Use one of: {', '.join(GoalOwner.values)}."]
    try:
        amount = Decimal(str(target))
        if not amount.is_finite():
            raise InvalidOperation
    except (InvalidOperation, ValueError):
        errors["target"] = ["A number, e.g. 120 or 0.6."]
    else:
        if metric in METRICS and (problem := METRICS[metric].target_problem(amount)):
            errors["target"] = [problem]
        elif amount <= 0:
            errors["target"] = ["A target must be positive."]
    raise_field_errors(errors, conflicts, invalid_kind=InvalidGoalData,
                       conflict_kind=GoalDataConflict)  # fmt: skip
    if Goal.objects.filter(period=parsed.label, metric=metric).exists():
        raise GoalExists(
            f"{GoalMetric(metric).label} has a goal for {parsed.label} already.",
            extra={"period": parsed.label, "metric": metric},
        )
    goal = Goal(
        tenant=tenant, period=parsed.label, starts_on=parsed.first_day, ends_on=parsed.last_day,
        metric=metric, target=amount, owner=owner, created_by=actor.user,
    )  # fmt: skip
    try:
        with transaction.atomic():
            goal.save(force_insert=True)
    except IntegrityError:
        # Another manager set the same goal a moment ago: the unique constraint decided.
        raise GoalExists(
            f"{GoalMetric(metric).label} has a goal for {parsed.label} already.",
            extra={"period": parsed.label, "metric": metric},
        ) from None
    audit_record(
        tenant=tenant,
        actor=actor,
        action="goal.created",
        target=goal,
        changes={"period": goal.period, "metric": metric, "target": amount, "owner": owner},
    )
    return goal


def goal_closed(goal: Goal, *, tz_name: str, now: datetime | None = None) -> DomainError | None:
    """A goal takes signatures until its period ends: an agreement about the past binds
    nobody. None while it is open."""
    period = goal.period_in(tz_name)
    if period.has_ended(now or timezone.now()):
        return PeriodEnded(f"{period.label} has ended; its goals take no more signatures.")
    return None


def goal_name(goal: Goal) -> str:
    return f"The {goal.get_metric_display()} goal for {goal.period}"


def goal_signable_sides(*, goal: Goal, tz_name: str, role: str, user_id: int | None) -> list[str]:
    """The sides a page offers this person to sign on `goal` (the rule of `sla.signoff`)."""
    return signoff.signable_sides(
        agreement=goal, role=role, user_id=user_id, closed=goal_closed(goal, tz_name=tz_name)
    )


@transaction.atomic
def goal_sign(
    *, goal: Goal, actor: Actor, side: str | None = None, now: datetime | None = None
) -> Goal:
    """A member signs the goal for their team. A marketer signs for marketing and a sales
    rep for sales without saying so; managers and admins name the side. Refused for the
    reasons of `sla.signoff.sign_refusal`, or when the goal's period has ended."""
    chosen = signoff.side_for(role=actor.role, requested=side)
    refusal = signoff.caller_refusal(side=chosen, role=actor.role, user_id=actor.user_id)
    if refusal is not None:
        raise refusal  # before any lock: the refusal depends on the caller alone
    now = now or timezone.now()
    current = Goal.objects.select_for_update(of=("self",)).select_related("tenant").get(pk=goal.pk)
    refusal = signoff.sign_refusal(
        agreement=current, side=chosen, role=actor.role, user_id=actor.user_id,
        closed=goal_closed(current, tz_name=current.tenant.timezone, now=now),
        name=goal_name(current),
    )  # fmt: skip
    if refusal is not None:
        raise refusal
    if signed := signoff.signature_fields(current, side=chosen, user=actor.user, at=now):
        current.save(update_fields=[*signed, "updated_at"])
        audit_record(
            tenant=current.tenant_id,
            actor=actor,
            action="goal.signed",
            target=current,
            changes={"side": chosen, "in_effect": signoff.is_signed_by_both(current)},
        )
    for field in Goal._meta.concrete_fields:
        setattr(goal, field.attname, getattr(current, field.attname))
    return goal
