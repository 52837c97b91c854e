"""Reads of the members page and endpoint."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from leads.routing.selectors import routing_settings
from smarketing.tenancy.models import Membership
from smarketing.tenancy.selectors import member_list


@dataclass(frozen=True)
class MemberRow:
    membership: Membership
    capacity: int
    capacity_is_default: bool

    @property
    def id(self) -> int:
        return self.membership.pk

    @property
    def last_login(self) -> datetime | None:
        return self.membership.user.last_login


def member_rows(*, tenant, ids: list[int] | None = None) -> list[MemberRow]:
    """Every member with their capacity (their own, or the tenant's default): two queries."""
    settings = routing_settings()
    memberships = member_list(tenant=tenant)
    if ids is not None:
        memberships = memberships.filter(pk__in=ids)
    overrides = settings.capacities or {}
    return [
        MemberRow(m, settings.capacity_of(m.user_id), str(m.user_id) not in overrides)
        for m in memberships
    ]
