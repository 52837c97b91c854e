"""Keeping each lead's match keys current: written whenever its profile changes."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence

from django.db import connection, transaction
from django.db.models import Q

from leads.duplicates.keys import lead_keys
from leads.duplicates.models import LeadMatchKey
from leads.models import Lead
from smarketing.tenancy.models import Tenant
from smarketing.tenancy.scope import require_tenant_id

_FIELDS = ("pk", "email", "phone", "first_name", "last_name", "company", "country")


def match_keys_refresh(
    *, lead_ids: Iterable[int], leads: Sequence[Lead] = (), region: str | None = None
) -> None:
    """Recompute the keys of these leads of the current tenant.

    Erased leads and tombstones of a merge keep no key: they are nobody's duplicate.
    `leads` may hold some of them as written a moment ago in this transaction (their
    profile is then not read again); `region` is the tenant's country, when known.
    """
    ids = sorted(set(lead_ids))
    if not ids:
        return
    tenant_id = require_tenant_id()
    if region is None:
        region = Tenant.objects.filter(pk=tenant_id).values_list("country", flat=True).first() or ""
    known = {lead.pk: lead for lead in leads if lead.pk in ids}
    profiles = [
        tuple(getattr(lead, "pk" if name == "pk" else name) for name in _FIELDS)
        for lead in known.values()
        if lead.erased_at is None and lead.merged_into_id is None
    ]
    unknown = [pk for pk in ids if pk not in known]
    if unknown:
        rows = Lead.objects.filter(pk__in=unknown, erased_at__isnull=True,
                                   merged_into__isnull=True)  # fmt: skip
        profiles += list(rows.values_list(*_FIELDS))
    keys = []
    for pk, email, phone, first_name, last_name, company, country in profiles:
        found = lead_keys(email=email, phone=phone, first_name=first_name, last_name=last_name,
                          company=company, region=country or region)  # fmt: skip
        keys += [(pk, kind, value) for kind, value in found.items()]
    if connection.vendor == "postgresql":
        _replace_keys_pg(tenant_id, ids, keys)
    else:
        _replace_keys(tenant_id, ids, keys)


@transaction.atomic
def _replace_keys(tenant_id: int, ids: list[int], keys: list[tuple[int, str, str]]) -> None:
    old = LeadMatchKey.objects.filter(lead_id__in=ids)
    touched = set(old.values_list("kind", "value"))
    old.delete()
    # Plain rows to one prepared INSERT: an import's batch has hundreds of keys, and building
    # a model instance for each cost four times the insert itself.
    with connection.cursor() as cursor:
        cursor.executemany(_INSERT_KEY, [(tenant_id, pk, kind, value, False)
                                         for pk, kind, value in keys])  # fmt: skip
    _mark_shared(touched | {(kind, value) for _, kind, value in keys})


_INSERT_KEY = (
    f"INSERT INTO {LeadMatchKey._meta.db_table} (tenant_id, lead_id, kind, value, shared) "
    "VALUES (%s, %s, %s, %s, %s)"
)


# The same as `_replace_keys`, in one statement (so no savepoint either): the leads' old keys
# go, their new keys come, and every key of a (kind, value) pair either touched is marked
# shared when more than one lead holds it. All parts read the table as it was before the
# statement, so the holders of a pair are counted as: before, minus ours deleted, plus ours
# added. Unchanged rows are not written. Each count is one grouped join, not a count per pair:
# a batch of 1,000 leads touches ~3,000 pairs, and a count per pair scanned the batch's own
# keys once per pair (quadratic in the batch).
_REPLACE_KEYS_SQL = """
WITH old AS (
    DELETE FROM leads_leadmatchkey WHERE tenant_id = %(tenant)s AND lead_id = ANY(%(ids)s)
    RETURNING id, kind, value
), new (lead_id, kind, value) AS (
    SELECT * FROM unnest(%(lead_ids)s::bigint[], %(kinds)s::varchar[], %(values)s::varchar[])
), pairs AS (
    SELECT kind, value FROM old UNION SELECT kind, value FROM new
), old_held AS (
    SELECT kind, value, count(*) AS n FROM old GROUP BY kind, value
), new_held AS (
    SELECT kind, value, count(*) AS n FROM new GROUP BY kind, value
), held AS (
    SELECT k.kind, k.value, count(*) AS n
    FROM leads_leadmatchkey k JOIN pairs p ON p.kind = k.kind AND p.value = k.value
    WHERE k.tenant_id = %(tenant)s GROUP BY k.kind, k.value
), counted AS (
    SELECT p.kind, p.value, coalesce(h.n, 0) - coalesce(o.n, 0) + coalesce(n.n, 0) AS holders
    FROM pairs p
    LEFT JOIN held h ON h.kind = p.kind AND h.value = p.value
    LEFT JOIN old_held o ON o.kind = p.kind AND o.value = p.value
    LEFT JOIN new_held n ON n.kind = p.kind AND n.value = p.value
), added AS (
    INSERT INTO leads_leadmatchkey (tenant_id, lead_id, kind, value, shared)
    SELECT %(tenant)s, n.lead_id, n.kind, n.value, c.holders > 1
    FROM new n JOIN counted c ON c.kind = n.kind AND c.value = n.value
    RETURNING 1
)
UPDATE leads_leadmatchkey k SET shared = c.holders > 1
FROM counted c
WHERE k.tenant_id = %(tenant)s AND k.kind = c.kind AND k.value = c.value
    AND k.shared <> (c.holders > 1) AND k.id NOT IN (SELECT id FROM old)
"""


def _replace_keys_pg(tenant_id: int, ids: list[int], keys: list[tuple[int, str, str]]) -> None:
    with connection.cursor() as cursor:
        cursor.execute(_REPLACE_KEYS_SQL, {
            "tenant": tenant_id, "ids": ids,
            "lead_ids": [k[0] for k in keys], "kinds": [k[1] for k in keys],
            "values": [k[2] for k in keys],
        })  # fmt: skip


def _mark_shared(pairs: set[tuple[str, str]]) -> None:
    """Set `shared` on every key of these (kind, value) pairs: one read, two updates."""
    if not pairs:
        return
    by_kind: dict[str, set[str]] = defaultdict(set)
    for kind, value in pairs:
        by_kind[kind].add(value)
    # By kind and value, the order of the index (tenant, kind, value): by value alone the
    # read would scan every key of the tenant, an import's batch after batch.
    wanted = Q()
    for kind, values in by_kind.items():
        wanted |= Q(kind=kind, value__in=values)
    rows = LeadMatchKey.objects.filter(wanted).values_list("pk", "kind", "value", "shared")
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
