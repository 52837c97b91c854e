"""Obligations: opened on a hand-off or an acceptance, met by the answer sales owed.

Status moves only through conditional UPDATEs (`WHERE status = 'pending'`), so a rep answering
and the sweep breaching at the same instant cannot both win.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from leads.models import Lead
from leads.services import lead_deadline_set
from sla import selectors
from sla.calendar import business_time_between
from sla.models import Obligation, ObligationKind, ObligationStatus, SlaVersion
from sla.services.rollups import rollup_days_touch

HOUR = timedelta(hours=1)
OPEN = ObligationStatus.PENDING


def response_hours(obligation: Obligation, at: datetime) -> float:
    """Business hours from opening to the answer, on the calendar of the obligation's terms."""
    elapsed = business_time_between(
        obligation.opened_at, at, obligation.version.business_calendar()
    )
    return round(max(elapsed, timedelta(0)) / HOUR, 4)


@transaction.atomic
def obligations_open(
    *,
    leads: Iterable[Lead],
    kind: str,
    now: datetime,
    version: SlaVersion | None = None,
) -> list[Obligation]:
    """Open one pending obligation of `kind` per lead under the active version's terms.

    No active SLA, no obligation. Opening twice is harmless: one pending obligation per lead
    and kind is a unique constraint, and conflicts are skipped.
    """
    version = version or selectors.active_version()
    if version is None:
        return []
    rows = []
    for lead in leads:
        deadline = version.deadline(kind, score=lead.score, start=now)
        rows.append(
            Obligation(
                tenant_id=lead.tenant_id, lead=lead, version=version, kind=kind,
                owner_id=lead.owner_id, within_hours=deadline.within_hours,
                is_hot=deadline.is_hot, opened_at=now, due_at=deadline.due_at,
                warn_at=deadline.warn_at,
            )
        )  # fmt: skip
    created = Obligation.objects.bulk_create(rows, ignore_conflicts=True)
    if rows:
        rollup_days_touch(opened=[now])  # a hand-off recorded after the fact
    if kind == ObligationKind.ACCEPT:
        _copy_accept_deadlines([row.lead_id for row in rows])
    return created


def _copy_accept_deadlines(lead_ids: list[int]) -> None:
    """The queue (in leads) orders by the pending accept deadline: keep its copy current."""
    pending = Obligation.objects.filter(
        lead_id__in=lead_ids, kind=ObligationKind.ACCEPT, status=OPEN
    ).values_list("lead_id", "due_at", "warn_at")
    by_deadline: dict[tuple, list[int]] = {}
    for lead_id, due_at, warn_at in pending:
        by_deadline.setdefault((due_at, warn_at), []).append(lead_id)
    for (due_at, warn_at), ids in by_deadline.items():
        lead_deadline_set(lead_ids=ids, due_at=due_at, warn_at=warn_at)


@transaction.atomic
def obligations_respond(*, kind: str, answered_at: dict[int, datetime]) -> dict[str, int]:
    """Sales gave the answer `kind` asks for, on each lead of `answered_at`, at that time.

    On time: pending → met. Late: the obligation is breached (if the sweep has not done it yet,
    here, through the same exactly-once path) and the late answer is still recorded in
    `met_at` and `response_business_hours`, so response times count every answer.
    """
    from sla.services.breaches import breach_claimed

    counts = {"met": 0, "late": 0}
    if not answered_at:
        return counts
    if kind == ObligationKind.ACCEPT:
        lead_deadline_set(lead_ids=list(answered_at), due_at=None)  # answered: out of the queue
    open_ones = (
        Obligation.objects.filter(
            lead_id__in=list(answered_at),
            kind=kind,
            status__in=[OPEN, ObligationStatus.BREACHED],
            met_at__isnull=True,
        )
        .select_related("version")
        .order_by("id")
    )
    late: list[tuple[Obligation, datetime, float]] = []
    answered: list[datetime] = []
    for obligation in open_ones:
        at = answered_at[obligation.lead_id]
        if at < obligation.opened_at:
            continue  # a touch from before the obligation existed answers nothing
        answered.append(obligation.opened_at)
        hours = response_hours(obligation, at)
        on_time = Obligation.objects.filter(pk=obligation.pk, status=OPEN, due_at__gte=at).update(
            status=ObligationStatus.MET, met_at=at, response_business_hours=hours
        )
        if on_time:
            counts["met"] += 1
        else:
            late.append((obligation, at, hours))
    rollup_days_touch(opened=answered)
    if late:
        now = timezone.now()
        claimed = []
        for obligation, _, _ in late:
            # The sweep may have breached it already; then it owns the breach record.
            if Obligation.objects.filter(pk=obligation.pk, status=OPEN).update(
                status=ObligationStatus.BREACHED, breached_at=now
            ):
                claimed.append({
                    "id": obligation.pk, "lead_id": obligation.lead_id, "kind": obligation.kind,
                    "owner_id": obligation.owner_id, "version_id": obligation.version_id,
                    "opened_at": obligation.opened_at, "due_at": obligation.due_at,
                })  # fmt: skip
        breach_claimed(tenant_id=late[0][0].tenant_id, rows=claimed, now=now, reroute=False)
        for obligation, at, hours in late:
            counts["late"] += Obligation.objects.filter(
                pk=obligation.pk, met_at__isnull=True
            ).update(met_at=at, response_business_hours=hours)
    return counts


def obligations_cancel(*, lead_ids: Iterable[int], now: datetime) -> int:
    """Nothing is owed any more (the lead left sales, was erased): pending → cancelled."""
    lead_ids = list(lead_ids)
    pending = Obligation.objects.filter(lead_id__in=lead_ids, status=OPEN)
    lead_deadline_set(lead_ids=lead_ids, due_at=None)
    rollup_days_touch(opened=list(pending.values_list("opened_at", flat=True)))
    return pending.update(status=ObligationStatus.CANCELLED, cancelled_at=now)


def obligations_reassign(*, lead_id: int, owner_id: int | None) -> int:
    """A manager (or re-routing) gave the lead to another rep: they now owe its answers."""
    pending = Obligation.objects.filter(lead_id=lead_id, status=OPEN)
    rollup_days_touch(opened=list(pending.values_list("opened_at", flat=True)))
    return pending.update(owner_id=owner_id)
