"""Changing a member: role and deactivation (admins), away (managers and admins).

Deactivation is per tenant: the membership stays for the history, every request into the
tenant is refused from then on (pages and the person's API keys, which are revoked), and
`member.deactivated` lets the apps hand the person's open work to others.
"""

from __future__ import annotations

from typing import Any

from django.contrib.sessions.models import Session
from django.db import transaction
from django.utils import timezone

from smarketing.events import publish
from smarketing.tenancy.actors import Actor
from smarketing.tenancy.audit import audit_record, changes_between
from smarketing.tenancy.credentials import credentials_changed
from smarketing.tenancy.errors import InvalidSettings, NotAdmin
from smarketing.tenancy.models import ApiKey, Membership
from smarketing.tenancy.roles import Role, has_capability

MEMBER_FIELDS = ("role", "is_active", "is_away")


def may_manage_members(role: str | None) -> bool:
    return has_capability(role, "tenant.admin")


def may_set_availability(role: str | None) -> bool:
    return has_capability(role, "members.availability")


def _require(actor: Actor, data: dict[str, Any]) -> None:
    if {"role", "is_active"} & set(data) and not may_manage_members(actor.role):
        raise NotAdmin("Only admins change roles or deactivate members.")
    if "is_away" in data and not may_set_availability(actor.role):
        raise NotAdmin("Only managers and admins set a member away.")


def _keeps_an_admin(membership: Membership, role: str, active: bool) -> bool:
    if membership.role != Role.ADMIN or (role == Role.ADMIN and active):
        return True
    # Lock every active admin: two admins demoting each other at once must not both pass.
    admins = Membership.objects.select_for_update().filter(role=Role.ADMIN, is_active=True)
    return any(pk != membership.pk for pk in admins.values_list("pk", flat=True))


@transaction.atomic
def member_update(*, membership: Membership, actor: Actor, data: dict[str, Any]) -> Membership:
    """Change `role`, `is_active` and `is_away` of a member of the current tenant."""
    _require(actor, data)
    membership = Membership.objects.select_for_update().select_related("user").get(pk=membership.pk)
    before = {field: getattr(membership, field) for field in MEMBER_FIELDS}
    role = data.get("role", membership.role)
    if role not in Role.values:
        raise InvalidSettings({"role": [f"Use one of {', '.join(Role.values)}."]})
    active = bool(data.get("is_active", membership.is_active))
    if not _keeps_an_admin(membership, role, active):
        field = "is_active" if not active else "role"
        raise InvalidSettings({field: ["The tenant must keep at least one active admin."]})
    membership.role, membership.is_active = role, active
    membership.is_away = bool(data.get("is_away", membership.is_away))
    changes = changes_between(before, {f: getattr(membership, f) for f in MEMBER_FIELDS})
    if not changes:
        return membership
    membership.save(update_fields=list(changes))
    action = "member.updated"
    if "is_active" in changes:
        action = "member.deactivated" if not active else "member.reactivated"
    elif "role" in changes:
        action = "member.role_changed"
    audit_record(
        tenant=membership.tenant_id,
        actor=actor,
        action=action,
        target=("membership", membership.pk, membership.user.email),
        changes=changes,
    )
    if "is_active" in changes and not active:
        _end_access(membership, actor)
    return membership


def _end_access(membership: Membership, actor: Actor) -> None:
    """Revoke the person's keys in this tenant, end their sessions, hand their work on."""
    user = membership.user
    now = timezone.now()
    revoked = list(
        ApiKey.objects.filter(user=user, revoked_at__isnull=True).values_list("name", flat=True)
    )
    ApiKey.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=now)
    credentials_changed()
    if revoked:
        audit_record(
            tenant=membership.tenant_id,
            actor=actor,
            action="api_key.revoked",
            target=("user", user.pk, user.email),
            changes={"keys": revoked},
        )
    transaction.on_commit(lambda: sessions_end(user_id=user.pk))
    publish(
        "member.deactivated",
        tenant=membership.tenant,
        data={"user_id": user.pk, "email": user.email},
        actor=actor,
    )


def sessions_end(*, user_id: int) -> int:
    """Delete the person's browser sessions (database sessions are keyed by an opaque id, so
    each session is read to find its user). Returns how many ended."""
    ended = 0
    wanted = str(user_id)
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if session.get_decoded().get("_auth_user_id") == wanted:
            session.delete()
            ended += 1
    return ended


def member_join(*, tenant: Any, user: Any, role: str, actor: Actor) -> Membership:
    """Add `user` to the tenant (an accepted invitation), or reactivate them with `role`."""
    membership = Membership.objects.filter(user=user).first()
    if membership is None:
        membership = Membership.objects.create(tenant=tenant, user=user, role=role)
        changes = {"role": [None, role]}
    else:
        changes = changes_between(
            {"role": membership.role, "is_active": membership.is_active},
            {"role": role, "is_active": True},
        )
        membership.role, membership.is_active = role, True
        membership.save(update_fields=["role", "is_active"])
    audit_record(
        tenant=tenant,
        actor=actor,
        action="member.joined",
        target=("membership", membership.pk, user.email),
        changes=changes,
    )
    return membership


__all__ = ["may_manage_members", "may_set_availability", "member_join", "member_update"]
