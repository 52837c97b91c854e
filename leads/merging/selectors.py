from __future__ import annotations

from django.db.models import QuerySet
from django.utils import timezone

from leads.merging.models import LeadMerge
from leads.models import Lead

MAX_HOPS = 10  # a lead merged into one merged again: follow the chain, never a loop


def survivor_of(*, lead_id: int) -> int | None:
    """The live lead a tombstone points at (through later merges too), or None."""
    current, hops = lead_id, 0
    while hops < MAX_HOPS:
        target = Lead.objects.filter(pk=current).values_list("merged_into_id", flat=True).first()
        if target is None:
            return current if current != lead_id else None
        current, hops = target, hops + 1
    return current


def merges_undoable(*, survivor: Lead) -> QuerySet[LeadMerge]:
    """Merges into this lead that may still be undone (the service has the last word)."""
    return (
        LeadMerge.objects.filter(
            survivor=survivor, undone_at__isnull=True, undo_until__gt=timezone.now()
        )
        .exclude(before={})
        .order_by("-at")
    )
