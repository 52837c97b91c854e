"""Writes of routing configuration (managers) and of a rep's availability."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction

from leads.errors import InvalidLeadData, LeadDataConflict, NotAllowed
from leads.routing.models import (
    RoutingMode,
    RoutingRule,
    RoutingSettings,
    RuleField,
    Team,
    TeamMember,
)
from smarketing.tenancy.actors import Actor
from smarketing.tenancy.audit import audit_record, changes_between, snapshot
from smarketing.tenancy.models import Membership
from smarketing.tenancy.roles import LEADERSHIP_ROLES, SALES_ROLES, has_capability

MAX_RULES = 200
MAX_TEAMS = 100


def _require_manager(actor: Actor) -> None:
    if not actor.is_system and not has_capability(actor.role, "routing.manage"):
        raise NotAllowed("Only managers and admins change routing.")


def _sales_member_ids(emails: list[str], field: str) -> list[int]:
    """User ids of `emails`, each a sales rep or manager of the current tenant."""
    if any(not isinstance(email, str) or not email.strip() for email in emails):
        raise InvalidLeadData({field: ["Name each person by their e-mail address."]})
    wanted = {email.strip().lower() for email in emails}
    found = dict(
        Membership.objects.filter(
            user__email__in=wanted, is_active=True, role__in=list(SALES_ROLES | LEADERSHIP_ROLES)
        ).values_list("user__email", "user_id")
    )
    missing = sorted(wanted - set(found))
    if missing:
        raise LeadDataConflict({field: [f"Not a sales rep or manager here: {', '.join(missing)}."]})
    return [found[email] for email in sorted(wanted)]


def _clean_values(field: str, values: Any) -> list[str]:
    if isinstance(values, str):
        values = values.split(",")
    if not isinstance(values, list) or not values:
        raise InvalidLeadData({"values": ["Give at least one value."]})
    cleaned = []
    for value in values:
        text = str(value).strip()
        if not text:
            continue
        if field == RuleField.COUNTRY:
            if len(text) != 2 or not text.isalpha():
                raise InvalidLeadData({"values": [f"{text!r} is no ISO country code (e.g. IT)."]})
            text = text.upper()
        elif field == RuleField.PERSONA:
            if not text.isdigit():
                raise InvalidLeadData({"values": [f"{text!r} is no persona id."]})
        else:
            text = text.lower()
        cleaned.append(text)
    if not cleaned:
        raise InvalidLeadData({"values": ["Give at least one value."]})
    return sorted(set(cleaned), key=cleaned.index)


@transaction.atomic
def routing_settings_set(
    *, tenant, actor: Actor, mode: str, default_capacity: int, capacities: dict[str, int] | None
) -> RoutingSettings:
    """The mode and capacities; `capacities` maps a rep's e-mail to their maximum."""
    _require_manager(actor)
    if mode not in RoutingMode.values:
        raise InvalidLeadData({"mode": [f"Use one of {', '.join(RoutingMode.values)}."]})
    if not isinstance(default_capacity, int) or not 1 <= default_capacity <= 1000:
        raise InvalidLeadData({"default_capacity": ["A whole number from 1 to 1000."]})
    per_rep: dict[str, int] = {}
    for email, value in (capacities or {}).items():
        if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 1000:
            raise InvalidLeadData({"capacities": [f"{email}: a whole number from 1 to 1000."]})
        [user_id] = _sales_member_ids([email], "capacities")
        per_rep[str(user_id)] = value
    settings, _ = RoutingSettings.objects.select_for_update().get_or_create(tenant=tenant)
    fields = ["mode", "default_capacity", "capacities"]
    before = snapshot(settings, fields)
    settings.mode, settings.default_capacity, settings.capacities = mode, default_capacity, per_rep
    settings.save(update_fields=[*fields, "updated_at"])
    changes = changes_between(before, snapshot(settings, fields))
    if changes:
        audit_record(
            tenant=tenant,
            actor=actor,
            action="routing.settings_changed",
            target=settings,
            changes=changes,
        )
    return settings


@transaction.atomic
def team_save(*, tenant, actor: Actor, name: str, members: list[str], team: Team | None = None):
    """Create a team (or rename and re-staff `team`) with the members given by e-mail."""
    _require_manager(actor)
    name = (name or "").strip()
    if not name or len(name) > 100:
        raise InvalidLeadData({"name": ["A team needs a name of at most 100 characters."]})
    user_ids = _sales_member_ids(members, "members")
    clash = Team.objects.filter(name__iexact=name)
    if team is not None:
        clash = clash.exclude(pk=team.pk)
    if clash.exists():
        raise LeadDataConflict({"name": [f"There is a team called {name} already."]})
    before = {"name": None, "members": []}
    if team is None:
        if Team.objects.count() >= MAX_TEAMS:
            raise InvalidLeadData({"name": [f"At most {MAX_TEAMS} teams."]})
        team = Team.objects.create(tenant=tenant, name=name)
    else:
        emails = TeamMember.objects.filter(team=team).values_list("user__email", flat=True)
        before = {"name": team.name, "members": sorted(emails)}
        team.name = name
        team.save(update_fields=["name"])
    TeamMember.objects.filter(team=team).exclude(user_id__in=user_ids).delete()
    TeamMember.objects.bulk_create(
        [TeamMember(tenant=tenant, team=team, user_id=uid) for uid in user_ids],
        ignore_conflicts=True,
    )
    after = {"name": name, "members": sorted(email.strip().lower() for email in members)}
    changes = changes_between(before, after)
    if changes:
        audit_record(
            tenant=tenant,
            actor=actor,
            target=team,
            changes=changes,
            action="team.created" if before["name"] is None else "team.changed",
        )
    return team


@transaction.atomic
def team_delete(*, actor: Actor, team: Team) -> None:
    """Remove a team; its rules go with it."""
    _require_manager(actor)
    audit_record(
        tenant=team.tenant_id,
        actor=actor,
        action="team.deleted",
        target=team,
        changes={"name": team.name},
    )
    team.delete()


@transaction.atomic
def routing_rule_add(
    *, tenant, actor: Actor, field: str, values: Any, team: Team | None = None,
    rep_email: str | None = None, is_active: bool = True, position: int | None = None,
) -> RoutingRule:  # fmt: skip
    """A rule sending SQLs whose `field` is one of `values` to `team` or to one rep."""
    _require_manager(actor)
    if field not in RuleField.values:
        raise InvalidLeadData({"field": [f"Use one of {', '.join(RuleField.values)}."]})
    if (team is None) == (not rep_email):
        raise InvalidLeadData({"target": ["Send the rule's SQLs to a team or to a rep."]})
    rep_id = _sales_member_ids([rep_email], "rep")[0] if rep_email else None
    if RoutingRule.objects.count() >= MAX_RULES:
        raise InvalidLeadData({"rules": [f"At most {MAX_RULES} rules."]})
    if position is None:
        last = RoutingRule.objects.order_by("-position").first()
        position = last.position + 1 if last else 0
    try:
        with transaction.atomic():
            rule = RoutingRule.objects.create(
                tenant=tenant, field=field, values=_clean_values(field, values), team=team,
                rep_id=rep_id, is_active=is_active, position=position,
            )  # fmt: skip
    except IntegrityError as error:
        raise InvalidLeadData(
            {"target": ["Send the rule's SQLs to a team or to a rep."]}
        ) from error
    audit_record(
        tenant=tenant,
        actor=actor,
        action="routing.rule_added",
        target=rule,
        changes={
            "field": field,
            "values": rule.values,
            "team": team.name if team else None,
            "rep": rep_email,
            "position": position,
            "is_active": is_active,
        },
    )
    return rule


@transaction.atomic
def routing_rule_delete(*, actor: Actor, rule: RoutingRule) -> None:
    _require_manager(actor)
    audit_record(
        tenant=rule.tenant_id,
        actor=actor,
        action="routing.rule_deleted",
        target=("routingrule", rule.pk, str(rule)),
        changes={"field": rule.field, "values": rule.values},
    )
    rule.delete()


@transaction.atomic
def routing_replace(*, tenant, actor: Actor, data: dict[str, Any]) -> None:
    """Replace the whole configuration (the API's PUT): settings, teams, then rules in order.

    Rules name their team by name (`"team": "Italy"`) or their rep by e-mail (`"rep": ...`).
    """
    _require_manager(actor)
    audit_record(
        tenant=tenant,
        actor=actor,
        action="routing.replaced",
        target="routing",
        changes={
            "removed_rules": RoutingRule.objects.count(),
            "removed_teams": Team.objects.count(),
        },
    )
    routing_settings_set(
        tenant=tenant, actor=actor, mode=data.get("mode", RoutingMode.PULL),
        default_capacity=data.get("default_capacity", 20),
        capacities=data.get("capacities") or {},
    )  # fmt: skip
    RoutingRule.objects.all().delete()
    Team.objects.all().delete()
    teams = {}
    for index, item in enumerate(data.get("teams") or []):
        try:
            team = team_save(tenant=tenant, actor=actor, name=item.get("name", ""),
                             members=list(item.get("members") or []))  # fmt: skip
        except InvalidLeadData as error:
            raise _at(error, "teams", index) from error
        teams[team.name.lower()] = team
    for index, item in enumerate(data.get("rules") or []):
        team_name = item.get("team")
        team = teams.get(str(team_name).strip().lower()) if team_name else None
        if team_name and team is None:
            raise InvalidLeadData({f"rules[{index}].team": [f"No team called {team_name}."]})
        try:
            routing_rule_add(
                tenant=tenant, actor=actor, field=item.get("field", ""), values=item.get("values"),
                team=team, rep_email=item.get("rep"), is_active=item.get("is_active", True),
                position=index,
            )  # fmt: skip
        except InvalidLeadData as error:
            raise _at(error, "rules", index) from error


def _at(error: InvalidLeadData, where: str, index: int) -> InvalidLeadData:
    """The same refusal (a 400 stays a 400, a conflict a conflict), its fields named by
    where they sit in the body."""
    return type(error)({f"{where}[{index}].{name}": msgs for name, msgs in error.errors.items()})


@transaction.atomic
def rep_away_set(*, tenant, user, away: bool) -> Membership:
    """A member marks themselves away (nothing is routed to them) or back; managers set it
    for others through the members page (`member_update`, audited)."""
    membership = Membership.objects.select_for_update().get(tenant=tenant, user=user)
    if membership.is_away != away:
        membership.is_away = away
        membership.save(update_fields=["is_away"])
    return membership


@transaction.atomic
def rep_capacity_set(*, tenant, actor: Actor, user, capacity: int | None) -> RoutingSettings:
    """How many open SQLs and opportunities one rep may hold; None returns them to the
    tenant's default."""
    _require_manager(actor)
    if capacity is not None and (
        not isinstance(capacity, int) or isinstance(capacity, bool) or not 1 <= capacity <= 1000
    ):
        raise InvalidLeadData({"capacity": ["A whole number from 1 to 1000, or empty."]})
    settings, _ = RoutingSettings.objects.select_for_update().get_or_create(tenant=tenant)
    capacities = dict(settings.capacities or {})
    before = capacities.get(str(user.pk))
    if capacity is None:
        capacities.pop(str(user.pk), None)
    else:
        capacities[str(user.pk)] = capacity
    if before != capacity:
        settings.capacities = capacities
        settings.save(update_fields=["capacities", "updated_at"])
        audit_record(
            tenant=tenant,
            actor=actor,
            action="routing.capacity_set",
            target=("user", user.pk, user.email),
            changes={"capacity": [before, capacity]},
        )
    return settings
