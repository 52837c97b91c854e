"""The campaign history of leads: every campaign a lead came through, recorded where leads
come in (API, bulk, CSV import, web forms, events naming a campaign, edits).

Set-based: a batch of touches costs one read of the leads' recorded touches and one insert,
whatever its size, so the bulk paths stay cheap.
"""

from __future__ import annotations

from bisect import bisect_right, insort
from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime
from math import inf
from typing import Any

from leads.models import Campaign, CampaignTouch

Touch = tuple[int, int, datetime]  # (lead id, campaign id, at)


def campaign_touches_record(*, tenant_id: int, touches: Iterable[Touch], source: str) -> int:
    """Record each (lead, campaign, at) unless the lead's latest touch at or before `at`
    (recorded, or earlier in this batch) names the same campaign; returns how many were new.

    Keeps the invariant of `CampaignTouch`: a lead's touches in time order never repeat a
    campaign twice in a row, so re-importing a file or re-sending a lead adds nothing.
    Runs in the caller's transaction and tenant scope.
    """
    wanted = sorted(set(touches), key=lambda touch: (touch[0], touch[2], touch[1]))
    if not wanted:
        return 0
    known: dict[int, list[tuple[datetime, int, int]]] = defaultdict(list)
    recorded = CampaignTouch.objects.filter(lead_id__in={touch[0] for touch in wanted})
    for lead_id, campaign_id, at, pk in recorded.values_list("lead_id", "campaign_id", "at", "pk"):
        known[lead_id].append((at, pk, campaign_id))
    for history in known.values():
        history.sort()
    new: list[CampaignTouch] = []
    for lead_id, campaign_id, at in wanted:
        history = known[lead_id]
        # (at, inf) sorts after every recorded touch of the same instant (their ids are
        # finite), and before this batch's own touches of that instant (shorter tuple).
        before = bisect_right(history, (at, inf))
        if before and history[before - 1][2] == campaign_id:
            continue
        insort(history, (at, inf, campaign_id))
        new.append(
            CampaignTouch(
                tenant_id=tenant_id, lead_id=lead_id, campaign_id=campaign_id, source=source, at=at
            )
        )
    # Equivalent mutant: the batch size changes how many statements, not which rows.
    CampaignTouch.objects.bulk_create(new, batch_size=2000)  # pragma: no mutate
    return len(new)


def campaigns_named_by(properties: dict[str, Any]) -> list[str | int]:
    """What an event's properties name as its campaign: `campaign` (an id) and/or
    `utm_campaign` (a campaign's slug), as given."""
    named: list[str | int] = []
    campaign_id = properties.get("campaign")
    # An id of no campaign here (0, negative, another tenant's) credits none: see below.
    if isinstance(campaign_id, int) and not isinstance(campaign_id, bool):
        named.append(campaign_id)
    slug = properties.get("utm_campaign")
    if isinstance(slug, str) and slug.strip():
        named.append(slug.strip().lower())
    return named


def campaign_ids_of(names: Iterable[str | int]) -> dict[str | int, int]:
    """{name: campaign id} for the ids and slugs that are campaigns of the current tenant;
    unknown ones are left out (an event naming no campaign of ours credits none)."""
    names = set(names)
    ids = {name for name in names if isinstance(name, int)}
    slugs = {name for name in names if isinstance(name, str)}
    found: dict[str | int, int] = {}
    if ids or slugs:
        rows = Campaign.objects.filter(pk__in=ids) | Campaign.objects.filter(slug__in=slugs)
        for pk, slug in rows.values_list("pk", "slug"):
            if pk in ids:
                found[pk] = pk
            if slug in slugs:
                found[slug] = pk
    return found
