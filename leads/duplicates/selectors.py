"""Likely duplicates: leads that share a normalised key (see `keys.py`).

Every read is an index lookup on (tenant, kind, value); nothing is normalised per request.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, QuerySet

from leads.duplicates.models import LeadMatchKey, MatchKind
from leads.models import Lead


@dataclass(frozen=True)
class Duplicate:
    lead: Lead
    reasons: tuple[str, ...]  # MatchKind values, in a fixed order

    @property
    def reason_labels(self) -> list[str]:
        return [MatchKind(reason).label for reason in self.reasons]


def leads_with_duplicates() -> QuerySet[Lead]:
    """Leads of the current tenant that share at least one key with another lead (read from
    the partial index of shared keys: its size is the duplicates', not the tenant's)."""
    shared = LeadMatchKey.objects.filter(lead_id=OuterRef("pk"), shared=True)
    return Lead.objects.filter(Exists(shared)).select_related("owner", "campaign")


def duplicates_of(*, lead_ids: list[int]) -> dict[int, list[Duplicate]]:
    """For each lead, the other leads sharing a key with it: two queries for any number."""
    if not lead_ids:
        return {}
    own = list(LeadMatchKey.objects.filter(lead_id__in=lead_ids).values_list(
        "lead_id", "kind", "value"))  # fmt: skip
    wanted: dict[tuple[str, str], set[int]] = defaultdict(set)
    for lead_id, kind, value in own:
        wanted[(kind, value)].add(lead_id)
    if not wanted:
        return {lead_id: [] for lead_id in lead_ids}
    values = {value for _, value in wanted}
    matches = (
        LeadMatchKey.objects.filter(value__in=values)
        .select_related("lead", "lead__owner")
        .order_by("lead_id")
    )
    reasons: dict[int, dict[int, set[str]]] = defaultdict(lambda: defaultdict(set))
    others: dict[int, Lead] = {}
    for match in matches:
        for lead_id in wanted.get((match.kind, match.value), ()):
            if match.lead_id != lead_id:
                reasons[lead_id][match.lead_id].add(match.kind)
                others[match.lead_id] = match.lead
    order = list(MatchKind.values)
    return {
        lead_id: [
            Duplicate(lead=others[other_id],
                      reasons=tuple(k for k in order if k in reasons[lead_id][other_id]))
            for other_id in sorted(reasons[lead_id])
        ]
        for lead_id in lead_ids
    }  # fmt: skip
