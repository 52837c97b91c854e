"""Keeping each lead's match keys current: written whenever its profile changes."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction

from leads.duplicates.keys import lead_keys
from leads.duplicates.models import LeadMatchKey
from leads.models import Lead
from smarketing.tenancy.models import Tenant
from smarketing.tenancy.scope import require_tenant_id


@transaction.atomic
def match_keys_refresh(*, lead_ids: Iterable[int]) -> None:
    """Recompute the keys of these leads of the current tenant: three statements per batch.

    Erased leads and tombstones of a merge keep no key: they are nobody's duplicate.
    """
    ids = sorted(set(lead_ids))
    if not ids:
        return
    tenant_id = require_tenant_id()
    region = Tenant.objects.filter(pk=tenant_id).values_list("country", flat=True).first() or ""
    LeadMatchKey.objects.filter(lead_id__in=ids).delete()
    rows = Lead.objects.filter(pk__in=ids, erased_at__isnull=True, merged_into__isnull=True)
    fields = ("pk", "email", "phone", "first_name", "last_name", "company", "country")
    keys = []
    for pk, email, phone, first_name, last_name, company, country in rows.values_list(*fields):
        found = lead_keys(email=email, phone=phone, first_name=first_name, last_name=last_name,
                          company=company, region=country or region)  # fmt: skip
        keys += [
            LeadMatchKey(tenant_id=tenant_id, lead_id=pk, kind=kind, value=value)
            for kind, value in found.items()
        ]
    LeadMatchKey.objects.bulk_create(keys)
