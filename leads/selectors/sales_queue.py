"""The sales queue: SQLs handed off and not accepted yet, that the caller may take.

Most urgent first: the nearest `accept` deadline (hot leads get tighter deadlines from the
SLA, so they come first when they are due first), then the highest score; SQLs without a
deadline (no SLA in force) come last. The partial index `lead_queue_due_idx` gives the
deadline order, so reading the top of the queue never sorts the table; only leads that
share a deadline are sorted by score.
"""

from __future__ import annotations

from django.db.models import F, Q, QuerySet

from leads import lifecycle
from leads.models import Lead, Stage
from smarketing.tenancy.actors import Actor

QUEUE_ORDER = (F("accept_due_at").asc(nulls_last=True), F("score").desc(), F("id").asc())


def queue_takeable(*, actor: Actor) -> Q:
    """What `actor` may accept: the lifecycle's `takeable`, which `lead_accept` enforces."""
    return lifecycle.takeable(role=actor.role, actor_id=actor.user_id)


def queue_for(*, actor: Actor) -> QuerySet[Lead]:
    """The caller's queue, most urgent first, with what a row shows in a fixed query count."""
    return (
        Lead.objects.filter(queue_takeable(actor=actor))
        .select_related("owner", "campaign")
        .order_by(*QUEUE_ORDER)
    )


def queue_size(*, actor: Actor) -> int:
    return Lead.objects.filter(queue_takeable(actor=actor)).count()


def my_open_leads(*, actor: Actor) -> QuerySet[Lead]:
    """SQLs the caller accepted and opportunities they own: where touches get logged."""
    return (
        Lead.objects.filter(owner_id=actor.user_id, stage__in=[Stage.SQL, Stage.OPPORTUNITY])
        .exclude(stage=Stage.SQL, accepted_at__isnull=True)
        .select_related("campaign")
        .order_by(F("last_activity_at").asc(nulls_first=True), "id")
    )
