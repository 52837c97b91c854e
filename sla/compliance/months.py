"""The monthly level of the compliance rollups: what a long range reads instead of its days.

A report over a year would read ~30,000 daily rows and every one of their response times (a
million on a busy tenant); the same year in months is ~1,000 rows whose response times are
counts per value. Whole calendar months inside the rolled-up part of a range are read from
here; the days at either edge from the daily rows; the live days from the raw rows.
Week groups need days, so they read days only.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from datetime import date, timedelta
from itertools import chain

from sla.compliance.figures import SalesTally
from sla.models import ObligationMonthRollup, ObligationRollup
from smarketing.tenancy.scope import require_tenant_id

MonthKey = tuple[date, str, int | None]  # (first day of the month, kind, owner id)
_DAILY = ("day", "kind", "owner_id", "opened", "met_on_time", "met_late", "breached",
          "cancelled", "response_hours_sum", "response_hundredths")  # fmt: skip
_MONTHLY = ("month", "kind", "owner_id", "opened", "met_on_time", "met_late", "breached",
            "cancelled", "response_hours_sum", "response_counts")  # fmt: skip


def month_start(day: date) -> date:
    return day.replace(day=1)


def month_end(first: date) -> date:
    return (first.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)


def split_by_months(first: date, last: date) -> tuple[list[date], list[tuple[date, date]]]:
    """The calendar months lying wholly in `first`..`last` (their first days), and the day
    ranges left over at either edge (none, one or two; also the whole range if no month)."""
    months: list[date] = []
    month = month_start(first) if first.day == 1 else month_end(first) + timedelta(days=1)
    while month_end(month) <= last:
        months.append(month)
        month = month_end(month) + timedelta(days=1)
    if not months:
        return [], [(first, last)] if first <= last else []
    edges = []
    if first < months[0]:
        edges.append((first, months[0] - timedelta(days=1)))
    after = month_end(months[-1]) + timedelta(days=1)
    if after <= last:
        edges.append((after, last))
    return months, edges


def complemented(
    edges: list[tuple[date, date]],
) -> tuple[list[date], list[tuple[date, date]], list[tuple[date, date]]]:
    """Edge ranges that are cheaper read as their month minus the month's other days.

    A month row always equals the sum of its daily rows (`months_write` rebuilds it with
    every day written), so the days `first`..`last` of one month are its row minus its daily
    rows outside them. A year from the 4th reads the 27 days up to the month's end as one
    month and three days to subtract. Returns (months to add, edge ranges to read as they
    are, day ranges to subtract)."""
    months: list[date] = []
    kept: list[tuple[date, date]] = []
    outside: list[tuple[date, date]] = []
    for first, last in edges:
        month = month_start(first)
        end = month_end(month)
        inside_days = (last - first).days + 1
        if month_start(last) != month or (end - month).days + 1 - inside_days >= inside_days:
            kept.append((first, last))
            continue
        months.append(month)
        if first > month:
            outside.append((month, first - timedelta(days=1)))
        if last < end:
            outside.append((last + timedelta(days=1), end))
    return months, kept, outside


def negated(cell: SalesTally) -> SalesTally:
    return SalesTally(
        opened=-cell.opened, met_on_time=-cell.met_on_time, met_late=-cell.met_late,
        breached=-cell.breached, cancelled=-cell.cancelled,
        response_hours_sum=-cell.response_hours_sum,
        response_counts=Counter({value: -n for value, n in cell.response_counts.items()}),
    )  # fmt: skip


def _flat(counts: Counter) -> list[int]:
    return list(chain.from_iterable(sorted(counts.items())))


def months_write(months: Iterable[date]) -> int:
    """Rebuild the month rows of these months from their daily rows (current tenant, in the
    caller's transaction, under the rollups' lock)."""
    tenant_id = require_tenant_id()
    written = 0
    for month in sorted(set(months)):
        tallies: dict[tuple[str, int | None], SalesTally] = defaultdict(SalesTally)
        rows = ObligationRollup.objects.filter(day__gte=month, day__lte=month_end(month))
        for _day, kind, owner_id, *counts, hours_sum, values in rows.values_list(*_DAILY):
            tally = tallies[(kind, owner_id)]
            opened, met_on_time, met_late, breached, cancelled = counts
            tally.opened += opened
            tally.met_on_time += met_on_time
            tally.met_late += met_late
            tally.breached += breached
            tally.cancelled += cancelled
            tally.response_hours_sum += hours_sum
            tally.response_counts.update(values)
        everyone: dict[str, SalesTally] = defaultdict(SalesTally)
        for (kind, _owner_id), tally in tallies.items():
            everyone[kind].add(tally)
        rows = [(kind, owner_id, False, t) for (kind, owner_id), t in tallies.items()]
        rows += [(kind, None, True, t) for kind, t in everyone.items()]
        ObligationMonthRollup.objects.filter(month=month).delete()
        ObligationMonthRollup.objects.bulk_create(
            [
                ObligationMonthRollup(
                    tenant_id=tenant_id, month=month, kind=kind, owner_id=owner_id,
                    all_reps=all_reps, opened=t.opened, met_on_time=t.met_on_time,
                    met_late=t.met_late, breached=t.breached, cancelled=t.cancelled,
                    response_hours_sum=t.response_hours_sum,
                    response_counts=_flat(t.response_counts),
                )
                for kind, owner_id, all_reps, t in rows
            ],
            batch_size=2000,
        )  # fmt: skip
        written += 1
    return written


def _tally(counts: list, hours_sum: float, flat: list[int] | None) -> SalesTally:
    opened, met_on_time, met_late, breached, cancelled = counts
    pairs = iter(flat or ())
    return SalesTally(
        opened=opened, met_on_time=met_on_time, met_late=met_late, breached=breached,
        cancelled=cancelled, response_hours_sum=hours_sum,
        response_counts=Counter(dict(zip(pairs, pairs, strict=True))),
    )  # fmt: skip


def month_cells(
    months: list[date], *, times_by_rep: bool = True
) -> Iterator[tuple[date, str, int | None, SalesTally]]:
    """(month, kind, owner id, tally) of the month rows of `months`, one per rep.

    Without `times_by_rep` (a report that never splits response times by rep), the reps'
    tallies come without response times, and the first tally of each month and kind carries
    the response times of all reps (its `all_reps` row) instead: summed over the cells, as
    any total is, every time counts once, and a year decodes 24 distributions, not 1,000.
    Counts (opened, breached, …) stay each rep's own in both cases.
    """
    if not months:
        return
    reps = ObligationMonthRollup.objects.filter(month__in=months, all_reps=False)
    if times_by_rep:
        rows = reps.values_list(*_MONTHLY)
        for month, kind, owner_id, *counts, hours_sum, flat in rows.iterator(chunk_size=2000):
            yield month, kind, owner_id, _tally(counts, hours_sum, flat)
        return
    totals = ObligationMonthRollup.objects.filter(month__in=months, all_reps=True)
    everyone = {
        (month, kind): flat
        for month, kind, flat in totals.values_list("month", "kind", "response_counts")
    }
    rows = reps.order_by("month", "kind").values_list(*_MONTHLY[:-1])
    for month, kind, owner_id, *counts, hours_sum in rows.iterator(chunk_size=2000):
        yield month, kind, owner_id, _tally(counts, hours_sum, everyone.pop((month, kind), None))
