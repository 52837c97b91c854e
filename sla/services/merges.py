"""Obligations follow a lead merged into another, and go back when the merge is undone."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction

from sla.models import Obligation, ObligationKind, ObligationStatus
from sla.services.obligations import _copy_accept_deadlines
from sla.services.rollups import rollup_days_touch

OPEN = ObligationStatus.PENDING


@transaction.atomic
def obligations_merge(
    *, survivor_id: int, other_id: int, now: datetime
) -> tuple[dict[str, Any], list[str]]:
    """Move the other lead's obligations to the survivor.

    Where both owe the same answer, the earlier deadline is kept (the person has waited
    since then) and the later one is cancelled. Returns what to restore on undo, and notes
    that say what was decided.
    """
    pending = {
        (o.lead_id, o.kind): o
        for o in Obligation.objects.filter(lead_id__in=[survivor_id, other_id], status=OPEN)
    }
    cancelled, notes = [], []
    for kind in ObligationKind.values:
        mine, theirs = pending.get((survivor_id, kind)), pending.get((other_id, kind))
        if mine is None or theirs is None:
            continue
        later, earlier = (mine, theirs) if theirs.due_at < mine.due_at else (theirs, mine)
        cancelled.append(later.pk)
        local = earlier.due_at.isoformat(timespec="minutes")
        notes.append(f"Both leads had a pending “{ObligationKind(kind).label}” obligation: "
                     f"kept the earlier deadline ({local}), cancelled the later one.")  # fmt: skip
    if cancelled:
        rows = Obligation.objects.filter(pk__in=cancelled)
        rollup_days_touch(opened=list(rows.values_list("opened_at", flat=True)))
        rows.update(status=ObligationStatus.CANCELLED, cancelled_at=now)
    moving = Obligation.objects.filter(lead_id=other_id)
    moved = sorted(moving.values_list("pk", flat=True))
    moving.update(lead_id=survivor_id)
    _copy_accept_deadlines([survivor_id])
    return {"moved": moved, "cancelled": cancelled}, notes


@transaction.atomic
def obligations_unmerge(*, survivor_id: int, other_id: int, record: dict[str, Any]) -> None:
    """Undo `obligations_merge`: each obligation back on its lead, the cancelled reopened."""
    Obligation.objects.filter(pk__in=record.get("moved", []), lead_id=survivor_id).update(
        lead_id=other_id
    )
    reopened = Obligation.objects.filter(
        pk__in=record.get("cancelled", []), status=ObligationStatus.CANCELLED
    )
    rollup_days_touch(opened=list(reopened.values_list("opened_at", flat=True)))
    reopened.update(status=OPEN, cancelled_at=None)
    _copy_accept_deadlines([survivor_id, other_id])
