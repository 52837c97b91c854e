"""The funnel's daily rollup: its set-based refresh, and reading a period through it.

A quarter's flow counts ~340,000 moves on a million leads; the rollup holds one row per
closed day (counts and duration histograms per stage), so the quarter reads ~90 rows and
the raw moves of the days not rolled up yet (today, and yesterday until the next run).

Why a refresh equals the raw read: a day's row is written by the same reader as the raw
report (`tallies.step_tallies`, grouped by local day), and only once the day is closed for
good. Stage history is immutable and every move is recorded with `at` = the time its own
transaction runs (`transition_record`), so once every transaction that was running is
younger than the day's end (minus a margin for the instant taken before its first
statement), no move of that day can still commit. A move's lead being merged, erased or
edited later changes nothing the flow counts (the flow counts moves, not their leads).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.db import connection, transaction
from django.db.models.functions import TruncDate
from django.utils import timezone

from leads.funnel import durations
from leads.funnel.figures import transitions_in
from leads.funnel.models import FunnelDayRollup, FunnelRollupState
from leads.funnel.tallies import Tally, step_rows, step_tallies
from smarketing.periods import Period
from smarketing.tenancy.models import Tenant
from smarketing.tenancy.scope import cross_tenant_scope, tenant_scope

# A move's `at` is taken in Python at most this long before its transaction's first
# statement (a service reads the clock, then writes): generous, so that no day is closed
# while a move timed inside it may still commit.
OPEN_TRANSACTION_MARGIN = timedelta(minutes=10)
DAYS_PER_TRANSACTION = 31  # a first build of years of history commits month by month


def _oldest_open_transaction() -> datetime | None:
    if connection.vendor != "postgresql":
        return None  # SQLite runs one writer at a time: nothing is in flight elsewhere
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT min(xact_start) FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid() AND xact_start IS NOT NULL"
        )
        return cursor.fetchone()[0]


def last_closed_day(*, zone: ZoneInfo, now: datetime) -> date:
    """The last local day no move can be added to any more (see the module doc)."""
    oldest = _oldest_open_transaction()
    safe = min(now, oldest or now) - OPEN_TRANSACTION_MARGIN
    return safe.astimezone(zone).date() - timedelta(days=1)


def _locked_state(tenant_id: int, timezone_name: str) -> FunnelRollupState:
    FunnelRollupState.objects.bulk_create(
        [FunnelRollupState(tenant_id=tenant_id, timezone=timezone_name)], ignore_conflicts=True
    )
    return FunnelRollupState.objects.select_for_update().get(tenant_id=tenant_id)


def _first_move_day(zone: ZoneInfo) -> date | None:
    first = transitions_in(None).order_by("at").values_list("at", flat=True).first()
    return first.astimezone(zone).date() if first else None


def _write_days(first: date, last: date, zone: ZoneInfo, tenant_id: int) -> int:
    """Replace the rows of `first`..`last` with what the raw reader counts for each day."""
    period = Period(first, last, str(zone))
    by_day = step_tallies(step_rows(period, "flow"), mode="flow", key="local_day",
                          key_expression=TruncDate("at", tzinfo=zone))  # fmt: skip
    FunnelDayRollup.objects.filter(day__gte=first, day__lte=last).delete()
    rows = [
        FunnelDayRollup(
            tenant_id=tenant_id, day=day,
            counts={stage: n for stage, n in tally.counts.items() if n},
            times={stage: durations.pairs(h) for stage, h in tally.times.items() if h},
        )
        for day, tally in by_day.items() if not tally.is_empty() or tally.times
    ]  # fmt: skip
    FunnelDayRollup.objects.bulk_create(rows, batch_size=500)
    return len(rows)


def funnel_rollups_refresh(*, tenant_id: int, now: datetime | None = None) -> int:
    """Roll up one tenant's closed days not rolled up yet (all of them on the first run, or
    after the tenant's timezone changed). Safe to run twice or concurrently: each window is
    written under the tenant's state row lock and moves `rolled_through` forward only.
    Returns the day rows written."""
    now = now or timezone.now()
    written = 0
    with tenant_scope(tenant_id):
        timezone_name = Tenant.objects.values_list("timezone", flat=True).get(pk=tenant_id)
        zone = ZoneInfo(timezone_name or "UTC")
        while True:
            with transaction.atomic():
                state = _locked_state(tenant_id, timezone_name)
                if state.timezone != timezone_name:
                    FunnelDayRollup.objects.all().delete()
                    state.timezone, state.rolled_through = timezone_name, None
                last = last_closed_day(zone=zone, now=now)
                if state.rolled_through is not None:
                    first = state.rolled_through + timedelta(days=1)
                else:
                    first = _first_move_day(zone) or last + timedelta(days=1)
                window_end = min(last, first + timedelta(days=DAYS_PER_TRANSACTION - 1))
                if first <= window_end:
                    written += _write_days(first, window_end, zone, tenant_id)
                through = max(window_end, state.rolled_through or window_end)
                state.rolled_through, state.built_at = through, now
                state.save(update_fields=["timezone", "rolled_through", "built_at"])
                if window_end >= last:
                    return written


def funnel_rollups_sweep(*, now: datetime | None = None) -> dict[str, int]:
    """The periodic run across tenants (Celery beat)."""
    with cross_tenant_scope():
        tenant_ids = list(Tenant.objects.order_by("pk").values_list("pk", flat=True))
    days = sum(funnel_rollups_refresh(tenant_id=tenant_id, now=now) for tenant_id in tenant_ids)
    return {"tenants": len(tenant_ids), "days": days}


def rolled_up_part(period: Period) -> tuple[Tally, Period | None]:
    """The flow steps of `period`'s rolled-up days, and the days left to read raw (None when
    the rollup covers the whole period). Reads the current tenant scope."""
    through = (
        FunnelRollupState.objects.filter(timezone=period.tz_name)
        .values_list("rolled_through", flat=True)
        .first()
    )
    if through is None or through < period.first_day:
        return Tally(), period
    through = min(through, period.last_day)
    tally = Tally()
    rows = FunnelDayRollup.objects.filter(day__gte=period.first_day, day__lte=through)
    for counts, times in rows.order_by().values_list("counts", "times"):
        for stage, count in counts.items():
            tally.counts[stage] += count
        for stage, flat in times.items():
            histogram = tally.times[stage]
            for bucket, count in zip(flat[::2], flat[1::2], strict=True):
                histogram[bucket] += count
    if through == period.last_day:
        return tally, None
    return tally, Period(through + timedelta(days=1), period.last_day, period.tz_name)
