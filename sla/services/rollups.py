"""Daily compliance rollups: built per tenant and day, replaced whole, safe to run twice.

What is stored: per local day (the tenant's SLA calendar timezone), rep and kind, the outcome
counts and response times of the obligations *opened* that day (`ObligationRollup`), and per
day the MQLs, SQL hand-offs, acceptances and rejections recorded that day (`FunnelRollup`).
In front of the days, per calendar month, rep and kind, the sum of the month's days
(`ObligationMonthRollup`, `sla.compliance.months`), rewritten whenever one of its days is.

Which days are rebuilt, and why that keeps the report exact:

- Every run rebuilds the days from the local date of `RollupState.fresh_until` to today, then
  moves `fresh_until` to the run's start minus `FRESH_MARGIN`. The report reads days before
  that date from the rollups and computes later days live.
- Days before it change only when an obligation opened then is answered, breached,
  cancelled or reassigned late; the obligation services mark its UTC opening date dirty
  (`rollup_days_touch`), and the next run, or the next report, rebuilds the matching days.
  Changes to obligations opened within `FRESH_MARGIN` need no mark: their day is still live.
- Stage transitions are recorded at the time they happen, so a day's funnel only changes
  while it is live (a transaction is assumed to commit within `FRESH_MARGIN`).

Writers of one tenant's rollups take its `RollupState` row lock, so two runs never
interleave their delete + insert of a day.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import Min
from django.utils import timezone

from leads.funnel import definitions
from leads.models import StageTransition
from sla import selectors
from sla.compliance.figures import FunnelCell, SalesCell
from sla.compliance.months import month_start, months_write
from sla.models import (
    FunnelRollup,
    Obligation,
    ObligationMonthRollup,
    ObligationRollup,
    RollupDirtyDay,
    RollupState,
)
from smarketing.tenancy.models import Tenant
from smarketing.tenancy.scope import cross_tenant_scope, require_tenant_id, tenant_scope

FRESH_MARGIN = timedelta(minutes=10)
WINDOW_DAYS = 31
SalesKey = tuple[date, str, int | None]  # (day, kind, owner id)


# --- days and time zones ---------------------------------------------------------------------


def rollup_timezone() -> str:
    """The current tenant's SLA calendar timezone: the active version's, else the office
    hours' (which every new draft copies), else the tenant's own."""
    version = selectors.active_version()
    if version is not None and version.calendar.get("timezone"):
        return version.calendar["timezone"]
    office = selectors.default_calendar()
    if office is not None and office.definition.get("timezone"):
        return office.definition["timezone"]
    tenant_id = require_tenant_id()
    return Tenant.objects.filter(pk=tenant_id).values_list("timezone", flat=True).first() or "UTC"


def day_start(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time.min, zone)


def local_days_of_utc_date(day: date, zone: ZoneInfo) -> set[date]:
    """The local days that a UTC date overlaps (one or two)."""
    start = datetime.combine(day, time.min, UTC)
    end = start + timedelta(days=1)
    # Any instant of the day's last second would do: zone offsets are whole seconds.
    last = end - timedelta(microseconds=1)  # pragma: no mutate
    return {start.astimezone(zone).date(), last.astimezone(zone).date()}


def _runs(days: Iterable[date]) -> list[list[date]]:
    """Sorted days cut into runs of consecutive days, each at most WINDOW_DAYS long."""
    runs: list[list[date]] = []
    for day in sorted(set(days)):
        if runs and day - runs[-1][-1] == timedelta(days=1) and len(runs[-1]) < WINDOW_DAYS:
            runs[-1].append(day)
        else:
            runs.append([day])
    return runs


# --- computing cells from the raw rows ---------------------------------------------------------


def obligation_cells(*, first: date, last: date, zone: ZoneInfo) -> dict[SalesKey, SalesCell]:
    """Obligations opened from `first` to `last` (local days, inclusive), by day, kind, rep."""
    cells: dict[SalesKey, SalesCell] = defaultdict(SalesCell)
    rows = Obligation.objects.filter(
        opened_at__gte=day_start(first, zone), opened_at__lt=day_start(last + timedelta(1), zone)
    ).values_list("opened_at", "kind", "owner_id", "status", "met_at", "response_business_hours")
    for opened_at, kind, owner_id, status, met_at, hours in rows.iterator(chunk_size=5000):
        key = (opened_at.astimezone(zone).date(), kind, owner_id)
        cells[key].add(status=status, met_at=met_at, response_hours=hours)
    return cells


# The transitions a day's funnel cell counts (what each one counts as: `FunnelCell.add`).
FUNNEL_TRANSITIONS = (
    definitions.MQL | definitions.SQL_HANDOFF | definitions.ACCEPTED | definitions.SALES_REJECTION
)


def funnel_cells(*, first: date, last: date, zone: ZoneInfo) -> dict[date, FunnelCell]:
    """Hand-offs and sales' answers recorded from `first` to `last` (local days), by day."""
    cells: dict[date, FunnelCell] = defaultdict(FunnelCell)
    rows = (
        StageTransition.objects.filter(
            at__gte=day_start(first, zone), at__lt=day_start(last + timedelta(1), zone)
        )
        .filter(FUNNEL_TRANSITIONS)
        .values_list("at", "action", "to_stage", "reason_code")
    )
    for at, action, to_stage, reason_code in rows.iterator(chunk_size=5000):
        cells[at.astimezone(zone).date()].add(
            action=action, to_stage=to_stage, reason_code=reason_code
        )
    return cells


# --- marking late changes ----------------------------------------------------------------------


def rollup_days_touch(*, opened: Iterable[datetime], now: datetime | None = None) -> int:
    """Obligations that opened at these instants changed: mark their days for a rebuild.

    Called by every service that changes an existing obligation, in its transaction (the
    mark commits with the change). Instants within `FRESH_MARGIN` of now need no mark.
    """
    cutoff = (now or timezone.now()) - FRESH_MARGIN
    days = {instant.astimezone(UTC).date() for instant in opened if instant < cutoff}
    if not days:
        return 0
    tenant_id = require_tenant_id()
    RollupDirtyDay.objects.bulk_create(
        [RollupDirtyDay(tenant_id=tenant_id, day=day) for day in sorted(days)],
        ignore_conflicts=True,
    )
    return len(days)


# --- writing rollups ---------------------------------------------------------------------------


def _state(*, tenant_id: int, timezone_name: str, skip_locked: bool = False) -> RollupState | None:
    """The tenant's state row, locked for this transaction (None with `skip_locked` when
    another writer holds it)."""
    RollupState.objects.bulk_create(
        [RollupState(tenant_id=tenant_id, timezone=timezone_name)], ignore_conflicts=True
    )
    locked = RollupState.objects.select_for_update(skip_locked=skip_locked)
    return locked.filter(tenant_id=tenant_id).first()


def _write_days(days: list[date], zone: ZoneInfo) -> int:
    """Replace the rollup rows of consecutive `days` with freshly computed ones."""
    tenant_id = require_tenant_id()
    first, last = days[0], days[-1]
    sales = obligation_cells(first=first, last=last, zone=zone)
    funnel = funnel_cells(first=first, last=last, zone=zone)
    ObligationRollup.objects.filter(day__gte=first, day__lte=last).delete()
    FunnelRollup.objects.filter(day__gte=first, day__lte=last).delete()
    ObligationRollup.objects.bulk_create(
        [
            ObligationRollup(
                tenant_id=tenant_id, day=day, kind=kind, owner_id=owner_id, opened=cell.opened,
                met_on_time=cell.met_on_time, met_late=cell.met_late, breached=cell.breached,
                cancelled=cell.cancelled, response_hours_sum=cell.response_hours_sum,
                response_hundredths=sorted(cell.response_hundredths),
            )
            for (day, kind, owner_id), cell in sales.items()
        ],
        batch_size=2000,  # pragma: no mutate (how many rows per INSERT: the same rows)
    )  # fmt: skip
    FunnelRollup.objects.bulk_create(
        [
            FunnelRollup(
                tenant_id=tenant_id, day=day, mqls=cell.mqls, sql_handoffs=cell.sql_handoffs,
                accepted=cell.accepted, rejected=cell.rejected,
                rejected_by_reason=dict(sorted(cell.rejected_by_reason.items())),
            )
            for day, cell in funnel.items()
            if not cell.is_empty()
        ],
        batch_size=2000,  # pragma: no mutate (how many rows per INSERT: the same rows)
    )  # fmt: skip
    # The months of these days, in the same transaction: a month always sums its days.
    months_write(month_start(day) for day in days)
    return len(days)


def _take_dirty_days(zone: ZoneInfo) -> set[date]:
    """Delete the dirty marks (in the caller's transaction) and return their local days.

    Deleting before reading the data is what keeps a concurrent change safe: a mark added
    after this statement survives it and triggers the next rebuild.
    """
    marked = RollupDirtyDay.objects.all()
    utc_days = list(marked.values_list("day", flat=True))
    if not utc_days:
        return set()
    marked.filter(day__in=utc_days).delete()
    return {day for utc_day in utc_days for day in local_days_of_utc_date(utc_day, zone)}


def _first_activity(zone: ZoneInfo) -> date | None:
    firsts = [
        Obligation.objects.aggregate(first=Min("opened_at"))["first"],
        StageTransition.objects.filter(FUNNEL_TRANSITIONS).aggregate(first=Min("at"))["first"],
    ]
    found = [instant for instant in firsts if instant is not None]
    return min(found).astimezone(zone).date() if found else None


def _rebuild_all(*, tenant_id: int, timezone_name: str, zone: ZoneInfo, today: date) -> int:
    """Every day from the first activity on, window by window (one transaction each)."""
    with transaction.atomic():
        state = _state(tenant_id=tenant_id, timezone_name=timezone_name)
        # Until the last window commits the report computes live: a crash leaves no half.
        state.fresh_until, state.timezone = None, timezone_name
        # Read under its lock just above: saving every field would write the same row.
        state.save(update_fields=["fresh_until", "timezone"])  # pragma: no mutate
        RollupDirtyDay.objects.all().delete()
        ObligationRollup.objects.all().delete()
        ObligationMonthRollup.objects.all().delete()
        FunnelRollup.objects.all().delete()
    first = _first_activity(zone)
    if first is None or first > today:
        return 0
    written = 0
    for run in _runs(first + timedelta(n) for n in range((today - first).days + 1)):
        with transaction.atomic():
            _state(tenant_id=tenant_id, timezone_name=timezone_name)
            written += _write_days(run, zone)
    return written


def compliance_rollups_build(
    *, tenant_id: int, now: datetime | None = None, full: bool = False
) -> dict[str, int]:
    """Bring one tenant's rollups up to `now`: the days since the last run, the dirty days,
    or everything (first run, `full`, or a new SLA timezone). Returns the days written."""
    now = now or timezone.now()
    with tenant_scope(tenant_id):
        timezone_name = rollup_timezone()
        zone = ZoneInfo(timezone_name)
        today = now.astimezone(zone).date()
        with transaction.atomic():
            state = _state(tenant_id=tenant_id, timezone_name=timezone_name)
            rebuild = full or state.fresh_until is None or state.timezone != timezone_name
            written = 0
            if not rebuild:
                since = state.fresh_until.astimezone(zone).date()
                days = {since + timedelta(n) for n in range((today - since).days + 1)}
                dirty = _take_dirty_days(zone)
                # Today is in the range above already: < and <= would add the same days.
                days |= {day for day in dirty if day <= today}  # pragma: no mutate
                for run in _runs(days):
                    written += _write_days(run, zone)
        if rebuild:
            written = _rebuild_all(
                tenant_id=tenant_id, timezone_name=timezone_name, zone=zone, today=today
            )
        with transaction.atomic():
            state = _state(tenant_id=tenant_id, timezone_name=timezone_name)
            fresh_until = now - FRESH_MARGIN
            if state.fresh_until is not None:  # a run with a later clock got here first
                fresh_until = max(fresh_until, state.fresh_until)
            state.fresh_until, state.built_at = fresh_until, now
            # Read under its lock just above: saving every field would write the same row.
            state.save(update_fields=["fresh_until", "built_at"])  # pragma: no mutate
    return {"days": written, "full": int(rebuild)}


def compliance_rollups_refresh(*, tenant_id: int) -> RollupState | None:
    """Before a report: rebuild the rolled-up days that late changes made dirty.

    Returns the state to read with, or None when the rollups are not usable yet (never
    built, or built for another timezone): then the report computes everything live. If a
    run holds the lock right now, its state is used as it stands.

    Only rebuilding writes: a report is a page's request, and on the embedded SQLite a
    write transaction waits for the one write lock, which a running import or sweep holds
    most of the time. Rollups not usable, or none dirty: this only reads.
    """
    with tenant_scope(tenant_id):
        timezone_name = rollup_timezone()
        state = RollupState.objects.filter(tenant_id=tenant_id).first()
        if state is None or state.fresh_until is None or state.timezone != timezone_name:
            return None  # the builder's first run (or the next, for a new timezone) is due
        if not RollupDirtyDay.objects.exists():
            return state
    with tenant_scope(tenant_id), transaction.atomic():
        locked = _state(tenant_id=tenant_id, timezone_name=timezone_name, skip_locked=True)
        state = locked or RollupState.objects.filter(tenant_id=tenant_id).first()
        if state is None or state.fresh_until is None or state.timezone != timezone_name:
            return None  # a rebuild started since the read above
        if locked is not None:
            zone = ZoneInfo(timezone_name)
            live_from = state.fresh_until.astimezone(zone).date()
            stale = {day for day in _take_dirty_days(zone) if day < live_from}
            for run in _runs(stale):
                _write_days(run, zone)
        return state


def compliance_rollups_sweep(*, now: datetime | None = None) -> dict[str, int]:
    """The periodic run across tenants (Celery beat)."""
    with cross_tenant_scope():
        tenant_ids = list(
            Tenant.objects.order_by("pk").values_list(
                # Naming no field would be equivalent: a flat list then holds the first column, pk.
                "pk",  # pragma: no mutate
                flat=True,
            )
        )
    totals = {"tenants": 0, "days": 0, "full": 0}
    for tenant_id in tenant_ids:
        result = compliance_rollups_build(tenant_id=tenant_id, now=now)
        totals["tenants"] += 1
        totals["days"] += result["days"]
        totals["full"] += result["full"]
    return totals
