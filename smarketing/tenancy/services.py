"""Writes on tenants, memberships and API keys."""

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from smarketing.errors import Forbidden
from smarketing.events import publish
from smarketing.tenancy.actors import Actor
from smarketing.tenancy.audit import audit_record
from smarketing.tenancy.credentials import credentials_changed
from smarketing.tenancy.models import ApiKey, Membership, Tenant, hash_key
from smarketing.tenancy.roles import Role, has_capability
from smarketing.tenancy.scope import tenant_scope

User = get_user_model()


@transaction.atomic
def tenant_create(*, slug: str, name: str, timezone_name: str = "UTC", country: str = "") -> Tenant:
    """Create a tenant; other apps add their defaults (calendar, SLA draft) on `tenant.created`."""
    from zoneinfo import available_timezones

    if timezone_name not in available_timezones():
        raise ValidationError({"timezone": f"Unknown time zone {timezone_name!r}."})
    if Tenant.objects.filter(slug=slug).exists():
        raise ValidationError({"slug": f"A tenant with slug {slug!r} exists already."})
    tenant = Tenant(slug=slug, name=name, timezone=timezone_name, country=country.upper())
    tenant.full_clean()
    tenant.save(force_insert=True)
    with tenant_scope(tenant):
        publish("tenant.created", tenant=tenant, data={"slug": tenant.slug})
    return tenant


@transaction.atomic
def member_add(*, tenant: Tenant, email: str, role: str, password: str | None = None) -> Membership:
    """Add a user (created if new) to a tenant with `role`; an existing membership changes role."""
    if role not in Role.values:
        raise ValidationError(
            {"role": f"Unknown role {role!r}; use one of {', '.join(Role.values)}."}
        )
    email = email.strip().lower()
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        user = User.objects.create_user(email=email, password=password)
    elif password:
        user.set_password(password)
        user.save(update_fields=["password"])
    with tenant_scope(tenant):
        membership, created = Membership.objects.get_or_create(
            tenant=tenant, user=user, defaults={"role": role}
        )
        before = None if created else membership.role
        if membership.role != role:  # a new membership has the role already
            membership.role = role
            membership.save(update_fields=["role"])
        if before != role:
            audit_record(
                tenant=tenant,
                actor=Actor.system(),
                action="member.added",
                target=("membership", membership.pk, email),
                changes={"role": [before, role]},
            )
    return membership


@dataclass(frozen=True)
class IssuedKey:
    api_key: ApiKey
    raw_key: str


@transaction.atomic
def api_key_create(
    *, tenant: Tenant, name: str, user=None, actor: Actor | None = None
) -> IssuedKey:
    """Issue a key. A user key needs the user's active membership in the tenant.

    The one place keys are made (the command, the API and the page); `actor` is who asked,
    the operator's shell when None. The raw key is returned once and never stored.
    """
    actor = actor or Actor.system()
    if not actor.is_system and not has_capability(actor.role, "tenant.admin"):
        raise Forbidden("Only admins manage API keys.")
    name = (name or "").strip()
    if not name or len(name) > 100:
        raise ValidationError({"name": "Give the key a name of at most 100 characters."})
    with tenant_scope(tenant):
        if user is not None and not Membership.objects.filter(user=user, is_active=True).exists():
            raise ValidationError({"user": f"{user} is not a member of {tenant.slug}."})
        if ApiKey.objects.filter(name__iexact=name).exists():
            raise ValidationError({"name": f"An API key named {name!r} exists already."})
        prefix, raw_key = ApiKey.generate()
        api_key = ApiKey.objects.create(
            tenant=tenant, name=name, prefix=prefix, hashed_key=hash_key(raw_key), user=user
        )
        audit_record(
            tenant=tenant,
            actor=actor,
            action="api_key.created",
            target=api_key,
            changes={
                "name": name,
                "kind": "integration" if user is None else "user",
                "user": getattr(user, "email", None),
                "prefix": prefix,
            },
        )
    return IssuedKey(api_key=api_key, raw_key=raw_key)


@transaction.atomic
def api_key_revoke(*, api_key: ApiKey, actor: Actor | None = None) -> None:
    """Revoke at once: the next request with the key answers 401."""
    actor = actor or Actor.system()
    if not actor.is_system and not has_capability(actor.role, "tenant.admin"):
        raise Forbidden("Only admins manage API keys.")
    with tenant_scope(api_key.tenant_id):
        if ApiKey.objects.filter(pk=api_key.pk, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        ):
            credentials_changed()
            audit_record(
                tenant=api_key.tenant_id,
                actor=actor,
                action="api_key.revoked",
                target=api_key,
                changes={"name": api_key.name},
            )
