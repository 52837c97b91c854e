"""The tenant's own settings (admins): name, timezone, country."""

from __future__ import annotations

from typing import Any
from zoneinfo import available_timezones

from django.db import transaction

from smarketing.countries import is_country_code
from smarketing.tenancy.actors import Actor
from smarketing.tenancy.audit import audit_record, changes_between, snapshot
from smarketing.tenancy.errors import InvalidSettings, NotAdmin
from smarketing.tenancy.models import Tenant
from smarketing.tenancy.roles import has_capability

TENANT_FIELDS = ["name", "timezone", "country"]


def clean_tenant_settings(data: dict[str, Any]) -> tuple[dict[str, str], dict[str, list[str]]]:
    """The valid values of `data` and the field errors of the rest."""
    values: dict[str, str] = {}
    errors: dict[str, list[str]] = {}
    if "name" in data:
        name = str(data["name"] or "").strip()
        if not name or len(name) > 200:
            errors["name"] = ["A name of 1 to 200 characters."]
        values["name"] = name
    if "timezone" in data:
        zone = str(data["timezone"] or "").strip()
        if zone not in available_timezones():
            errors["timezone"] = [f"Unknown time zone {zone!r}; e.g. Europe/Rome."]
        values["timezone"] = zone
    if "country" in data:
        country = str(data["country"] or "").strip().upper()
        if country and not is_country_code(country):
            errors["country"] = [f"{country!r} is no ISO 3166 alpha-2 country code (e.g. IT)."]
        values["country"] = country
    return values, errors


@transaction.atomic
def tenant_update(*, tenant: Tenant, actor: Actor, data: dict[str, Any]) -> Tenant:
    if not has_capability(actor.role, "tenant.admin"):
        raise NotAdmin("Only admins change the tenant's settings.")
    values, errors = clean_tenant_settings(data)
    if errors:
        raise InvalidSettings(errors)
    tenant = Tenant.objects.select_for_update().get(pk=tenant.pk)
    before = snapshot(tenant, TENANT_FIELDS)
    for field, value in values.items():
        setattr(tenant, field, value)
    changes = changes_between(before, snapshot(tenant, TENANT_FIELDS))
    if changes:
        tenant.save(update_fields=list(changes))
        audit_record(
            tenant=tenant, actor=actor, action="tenant.updated", target=tenant, changes=changes
        )
    return tenant
