"""Writes of the home page: the member's visits."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction

from smarketing.home.models import HomeVisit

# Home views closer together than this are one visit: a reload does not empty the tiles.
VISIT_GAP = timedelta(minutes=30)


@transaction.atomic
def home_visit_record(*, tenant, user, now: datetime) -> datetime | None:
    """Record a view of the home at `now`; return since when the tiles count "new".

    A view more than `VISIT_GAP` after the last one starts a new visit, whose window starts
    at that last view. The row is locked, so two tabs opening at once agree on the window.
    """
    visit, created = HomeVisit.objects.select_for_update().get_or_create(
        tenant=tenant, user=user, defaults={"last_seen_at": now}
    )
    if created:
        return None
    if now - visit.last_seen_at >= VISIT_GAP:
        visit.since = visit.last_seen_at
    visit.last_seen_at = max(now, visit.last_seen_at)
    visit.save(update_fields=["since", "last_seen_at"])
    return visit.since


def home_visit_since(*, user) -> datetime | None:
    """Since when the member's current visit counts "new" (read only: a lazy tile's fetch
    is part of the visit that loaded the page, not a visit of its own)."""
    return HomeVisit.objects.filter(user=user).values_list("since", flat=True).first()
