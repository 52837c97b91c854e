"""Reads of routing: who is available, how loaded, and the tenant's configuration."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q

from leads.models import Lead, Stage
from leads.routing.models import RoutingRule, RoutingSettings, Team, TeamMember
from smarketing.tenancy.models import Membership
from smarketing.tenancy.roles import Role


@dataclass
class Rep:
    id: int
    email: str
    load: int = 0  # open SQLs (routed or accepted) and opportunities the rep owns
    capacity: int = 0

    @property
    def free(self) -> int:
        return self.capacity - self.load


def routing_settings() -> RoutingSettings:
    """The tenant's settings, or the defaults (unsaved) when nobody changed them yet."""
    from smarketing.tenancy.scope import require_tenant_id

    found = RoutingSettings.objects.first()
    return found or RoutingSettings(tenant_id=require_tenant_id())


def available_reps(*, exclude=()) -> dict[int, Rep]:
    """Sales reps of the current tenant who are not away, with their load and capacity."""
    settings = routing_settings()
    reps = {
        user_id: Rep(id=user_id, email=email, capacity=settings.capacity_of(user_id))
        for user_id, email in Membership.objects.filter(
            role=Role.SALES_REP, is_away=False, is_active=True
        )
        .exclude(user_id__in=list(exclude))
        .order_by("user_id")
        .values_list("user_id", "user__email")
    }
    loads = (
        Lead.objects.filter(
            Q(stage=Stage.SQL) | Q(stage=Stage.OPPORTUNITY), owner_id__in=list(reps)
        )
        .values("owner_id")
        .annotate(n=Count("id"))
        .values_list("owner_id", "n")
    )
    for owner_id, count in loads:
        reps[owner_id].load = count
    return reps


def team_members() -> dict[int, list[int]]:
    """{team id: [user ids]} of the current tenant."""
    members: dict[int, list[int]] = {}
    for team_id, user_id in TeamMember.objects.order_by("user_id").values_list(
        "team_id", "user_id"
    ):
        members.setdefault(team_id, []).append(user_id)
    return members


def routing_rules(*, active_only: bool = False):
    rules = RoutingRule.objects.select_related("team", "rep").order_by("position", "id")
    return rules.filter(is_active=True) if active_only else rules


def teams_with_members() -> list[Team]:
    return list(Team.objects.prefetch_related("members__user").order_by("name"))
