"""Keeping each lead's match keys current: written whenever its profile changes."""

from __future__ import annotations

from collections import Counter
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
    old = LeadMatchKey.objects.filter(lead_id__in=ids)
    touched = set(old.values_list("kind", "value"))
    old.delete()
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
    _mark_shared(touched | {(key.kind, key.value) for key in keys})


def _mark_shared(pairs: set[tuple[str, str]]) -> None:
    """Set `shared` on every key of these (kind, value) pairs: one read, two updates."""
    if not pairs:
        return
    rows = LeadMatchKey.objects.filter(value__in={value for _, value in pairs}).values_list(
        "pk", "kind", "value", "shared"
    )
    rows = [row for row in rows if (row[1], row[2]) in pairs]
    counts = Counter((kind, value) for _, kind, value, _ in rows)
    flips: dict[bool, list[int]] = {True: [], False: []}
    for pk, kind, value, shared in rows:
        should = counts[(kind, value)] > 1
        if shared != should:
            flips[should].append(pk)
    for flag, pks in flips.items():
        if pks:
            LeadMatchKey.objects.filter(pk__in=pks).update(shared=flag)
