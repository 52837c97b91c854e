"""The sales queue: SQLs handed off and not accepted yet, that the caller may take.

Most urgent first: the nearest `accept` deadline (hot leads get tighter deadlines from the
SLA, so they come first when they are due first), then the highest score; SQLs without a
deadline (no SLA in force) come last. The partial index `lead_queue_due_idx` gives the
deadline order, so reading the top of the queue never sorts the table; only leads that
share a deadline are sorted by score.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, F, Q, QuerySet

from leads import lifecycle
from leads.models import Lead, Stage
from smarketing.tenancy.actors import Actor

QUEUE_ORDER = (F("accept_due_at").asc(nulls_last=True), F("score").desc(), F("id").asc())
# Other orders a rep may pick on the page; the contract's order stays the default.
QUEUE_SORTS: dict[str, tuple[str, tuple]] = {
    "urgent": ("Most urgent first", QUEUE_ORDER),
    "score": ("Highest score first", (F("score").desc(), *QUEUE_ORDER)),
    "newest": ("Newest hand-off first", (F("stage_changed_at").desc(), F("id").desc())),
}

# From which score a lead is hot is the SLA's term. `sla` registers how to read it (leads
# must not import sla); without a reader, or without a hot score in force, no lead is hot.
_hot_score_reader: Callable[[], int | None] | None = None


def queue_hot_score_reader_set(reader: Callable[[], int | None]) -> None:
    global _hot_score_reader
    _hot_score_reader = reader


def queue_hot_score() -> int | None:
    return _hot_score_reader() if _hot_score_reader else None


# Until when a deadline is "due soon" is business time on the SLA's calendar: `sla`
# registers how to read it, as the hot score. Without one, no deadline is due soon.
_due_soon_reader: Callable[[datetime], datetime | None] | None = None


def queue_due_soon_reader_set(reader: Callable[[datetime], datetime | None]) -> None:
    global _due_soon_reader
    _due_soon_reader = reader


def queue_due_soon_until(now: datetime) -> datetime | None:
    """Deadlines after `now` and up to this instant are due soon (None: none is)."""
    return _due_soon_reader(now) if _due_soon_reader else None


@dataclass(frozen=True)
class QueueFilters:
    """What a rep narrows the queue to; empty fields narrow nothing."""

    campaign_id: int | None = None
    persona_id: int | None = None
    country: str = ""
    hot: bool = False
    overdue: bool = False
    due_soon: bool = False
    sort: str = "urgent"


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


def queue_filtered(*, actor: Actor, filters: QueueFilters, now: datetime) -> QuerySet[Lead]:
    """The caller's queue narrowed by `filters`, in the order they picked."""
    leads = queue_for(actor=actor)
    if filters.campaign_id:
        leads = leads.filter(campaign_id=filters.campaign_id)
    if filters.persona_id:
        leads = leads.filter(persona_id=filters.persona_id)
    if filters.country:
        leads = leads.filter(country=filters.country)
    if filters.hot:
        hot_from = queue_hot_score()
        leads = leads.filter(score__gte=hot_from) if hot_from is not None else leads.none()
    if filters.overdue:
        leads = leads.filter(accept_due_at__lte=now)
    if filters.due_soon:
        until = queue_due_soon_until(now)
        leads = leads.filter(due_soon(now=now, until=until)) if until else leads.none()
    _, order = QUEUE_SORTS.get(filters.sort, QUEUE_SORTS["urgent"])
    return leads.order_by(*order)


def queue_facets(*, actor: Actor) -> dict[str, list[tuple]]:
    """The campaigns, personas and countries present in the caller's queue (filter options)."""
    rows = Lead.objects.filter(queue_takeable(actor=actor)).values_list(
        "campaign_id", "campaign__name", "persona_id", "score_breakdown__persona__name", "country"
    )
    campaigns, personas, countries = {}, {}, set()
    for campaign_id, campaign_name, persona_id, persona_name, country in rows:
        if campaign_id:
            campaigns[campaign_id] = campaign_name
        if persona_id:
            personas[persona_id] = persona_name or personas.get(persona_id) or f"#{persona_id}"
        if country:
            countries.add(country)
    return {
        "campaigns": sorted(campaigns.items(), key=lambda item: item[1]),
        "personas": sorted(personas.items(), key=lambda item: str(item[1])),
        "countries": sorted(countries),
    }


def due_soon(*, now: datetime, until: datetime) -> Q:
    """Not overdue yet, and due by `until`."""
    return Q(accept_due_at__gt=now, accept_due_at__lte=until)


def queue_urgency(*, actor: Actor, now: datetime, due_soon_until: datetime | None) -> dict:
    """How many SQLs wait in the caller's queue, how many are overdue and how many are due
    soon (by `due_soon_until`), in one query."""
    counts = {"waiting": Count("id"), "overdue": Count("id", filter=Q(accept_due_at__lte=now))}
    if due_soon_until is not None:
        counts["due_soon"] = Count("id", filter=due_soon(now=now, until=due_soon_until))
    return {"due_soon": 0} | Lead.objects.filter(queue_takeable(actor=actor)).aggregate(**counts)


def my_open_leads(*, actor: Actor) -> QuerySet[Lead]:
    """SQLs the caller accepted and opportunities they own: where touches get logged."""
    return (
        Lead.objects.filter(owner_id=actor.user_id, stage__in=[Stage.SQL, Stage.OPPORTUNITY])
        .exclude(stage=Stage.SQL, accepted_at__isnull=True)
        .select_related("campaign")
        .order_by(F("last_activity_at").asc(nulls_first=True), "id")
    )
