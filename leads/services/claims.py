"""Claiming from the queue, and the SLA deadline the queue is ordered by."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.db import connection, transaction

from leads.errors import AlreadyAccepted, StaleStage
from leads.models import Lead
from leads.selectors.sales_queue import QUEUE_ORDER, queue_takeable
from leads.services.stages import lead_accept
from smarketing.tenancy.actors import Actor

CLAIM_ATTEMPTS = 5


def _next_candidate(actor: Actor, skip: list[int]) -> Lead | None:
    candidates = Lead.objects.filter(queue_takeable(actor=actor)).exclude(pk__in=skip)
    candidates = candidates.order_by(*QUEUE_ORDER)
    if connection.features.has_select_for_update_skip_locked:
        # Rows another claim holds are passed over, not waited for: N reps claiming at once
        # lock N different SQLs. SQLite has no row locks; its writers take turns instead.
        candidates = candidates.select_for_update(skip_locked=True, of=("self",))
    return candidates.first()


@transaction.atomic
def queue_claim(*, actor: Actor) -> Lead | None:
    """Accept the most urgent SQL the caller may take; None when the queue is empty.

    Same rules and effects as `lead_accept` (the transition, `lead.accepted`, the SLA's
    obligations); a candidate that was taken between the read and the accept is skipped.
    """
    skip: list[int] = []
    for _ in range(CLAIM_ATTEMPTS):
        lead = _next_candidate(actor, skip)
        if lead is None:
            return None
        try:
            with transaction.atomic():
                return lead_accept(lead=lead, actor=actor)
        except (AlreadyAccepted, StaleStage):
            skip.append(lead.pk)
    return None


def lead_deadline_set(
    *, lead_ids: Iterable[int], due_at: datetime | None, warn_at: datetime | None = None
) -> int:
    """Record the SLA's accept deadline on the leads (None clears it). Called by the SLA app,
    which owns the deadline; leads keeps a copy only to order and show its queue."""
    return Lead.objects.filter(pk__in=list(lead_ids)).update(
        accept_due_at=due_at, accept_warn_at=warn_at if due_at is not None else None
    )
