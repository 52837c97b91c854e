"""Routing: which rep gets an SQL, by the tenant's rules and mode. The one place of this rule.

Rules are tried in order; the first whose condition holds and whose team or rep has someone
available gives the pool (a rule's rep alone, or the team's available members); no such rule,
and the pool is every available sales rep. The mode picks within the pool: `round_robin`
takes turns (a cursor per pool), `capacity` takes the rep with the most free capacity in
proportion to their maximum, and `pull` leaves the tenant-wide pool to the queue (a team's
pool still needs one member: it takes turns). Away reps and reps at capacity get nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from leads.errors import InvalidLeadData, StaleStage
from leads.models import Lead
from leads.routing import selectors
from leads.routing.models import RoutingMode, RoutingRule, RoutingSettings, RuleField, Team
from leads.routing.selectors import Rep
from leads.services.stages import lead_assign
from smarketing.tenancy.actors import Actor


@dataclass(frozen=True)
class Choice:
    rep: Rep
    why: str


def rule_matches(rule: RoutingRule, lead: Lead) -> bool:
    values = {str(value).strip().lower() for value in rule.values or []}
    if rule.field == RuleField.COUNTRY:
        found = (lead.country or "").lower()
    elif rule.field == RuleField.INDUSTRY:
        found = (lead.industry or "").strip().lower()
    else:
        found = str(lead.persona_id) if lead.persona_id is not None else ""
    return bool(found) and found in values


def _describe(rule: RoutingRule) -> str:
    return f"rule {RuleField(rule.field).label.lower()} in {', '.join(map(str, rule.values))}"


def _next_in_turn(reps: list[Rep], last_id: int | None) -> Rep:
    ordered = sorted(reps, key=lambda rep: rep.id)
    return next((rep for rep in ordered if last_id is not None and rep.id > last_id), ordered[0])


def _most_free(reps: list[Rep]) -> Rep | None:
    """The rep with the largest share of free capacity; none when everyone is full."""
    room = [rep for rep in reps if rep.free > 0]
    if not room:
        return None
    return min(room, key=lambda rep: (rep.load / rep.capacity, rep.load, rep.id))


def _pick(reps: list[Rep], mode: str, cursor_holder: RoutingSettings | Team) -> Rep | None:
    if mode == RoutingMode.CAPACITY:
        return _most_free(reps)
    room = [rep for rep in reps if rep.free > 0]
    if not room:
        return None
    chosen = _next_in_turn(room, cursor_holder.last_routed_user_id)
    cursor_holder.last_routed_user_id = chosen.id
    if cursor_holder.pk is not None:
        type(cursor_holder).objects.filter(pk=cursor_holder.pk).update(last_routed_user=chosen.id)
    return chosen


def choose_rep(*, lead: Lead, exclude=(), reroute: bool = False) -> Choice | None:
    """The rep `lead` should go to, or None (it waits in the queue).

    Runs inside the caller's transaction and locks the tenant's routing settings, so routings
    of one tenant take turns and round-robin cursors and capacities stay exact. A re-route
    (the SLA gave up on the current owner) needs someone even in pull mode: the rep with the
    most free capacity.
    """
    settings = selectors.routing_settings()
    if settings.pk is not None:
        settings = RoutingSettings.objects.select_for_update().get(pk=settings.pk)
    reps = selectors.available_reps(exclude=exclude)
    if not reps:
        return None
    members = None
    for rule in selectors.routing_rules(active_only=True):
        if not rule_matches(rule, lead):
            continue
        if rule.rep_id is not None:
            rep = reps.get(rule.rep_id)
            if rep is not None and rep.free > 0:
                return Choice(rep, _describe(rule))
            continue
        members = selectors.team_members() if members is None else members
        pool = [reps[uid] for uid in members.get(rule.team_id, []) if uid in reps]
        if not pool:
            continue
        team = Team.objects.select_for_update().get(pk=rule.team_id)
        mode = RoutingMode.ROUND_ROBIN if settings.mode == RoutingMode.PULL else settings.mode
        rep = _pick(pool, mode, team)
        if rep is not None:
            return Choice(rep, f"{_describe(rule)} (team {team.name})")
    mode = settings.mode
    if mode == RoutingMode.PULL:
        if not reroute:
            return None
        mode = RoutingMode.CAPACITY
    rep = _pick(list(reps.values()), mode, settings)
    return Choice(rep, RoutingMode(mode).label.split(":")[0].lower()) if rep else None


def _assign(lead: Lead, choice: Choice, note: str) -> Lead | None:
    try:
        with transaction.atomic():
            return lead_assign(lead=lead, owner_email=choice.rep.email, actor=Actor.system(),
                               note=note)  # fmt: skip
    except (StaleStage, InvalidLeadData):
        return None  # the lead moved, or the rep left the team meanwhile: it waits in the queue


@transaction.atomic
def lead_route(*, lead: Lead) -> Lead | None:
    """Route an SQL that just entered the queue; returns the lead if someone got it."""
    if lead.owner_id is not None or lead.accepted_at is not None:
        return None
    choice = choose_rep(lead=lead)
    if choice is None:
        return None
    return _assign(lead, choice, f"Routed to {choice.rep.email} by {choice.why}.")


@transaction.atomic
def lead_reroute(*, lead: Lead, exclude=(), reason: str = "") -> int | None:
    """Give an unaccepted SQL to another eligible rep (not in `exclude`); returns their id.

    Recorded in the lead's history and announced as `lead.assigned`, like any assignment.
    """
    choice = choose_rep(lead=lead, exclude={*exclude, lead.owner_id} - {None}, reroute=True)
    if choice is None:
        return None
    note = f"Re-routed to {choice.rep.email}" + (f": {reason}" if reason else ".")
    return choice.rep.id if _assign(lead, choice, note) is not None else None
