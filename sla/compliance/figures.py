"""Mergeable cells of compliance figures and the arithmetic on them. Pure: no database.

A cell adds obligations (or stage transitions) one by one, merges with other cells, and
renders figures. What a transition counts as is the funnel's one definition
(`leads.funnel.definitions`), asked row by row. Rollup rows are stored cells; the report
merges them per group, so a figure over any range is the same as if it were computed from
the raw rows at once.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from leads.funnel import definitions


def hundredths(hours: float) -> int:
    """A response time as whole hundredths of a business hour (the stored precision)."""
    return round(hours * 100)


def percentile(ordered: list[int], q: float) -> float | None:
    """The q-quantile of sorted values, interpolated linearly between the closest ranks
    (PostgreSQL's `percentile_cont`, NumPy's default); None for no values."""
    if not ordered:
        return None
    position = q * (len(ordered) - 1)
    lower = math.floor(position)
    upper = min(lower + 1, len(ordered) - 1)
    return ordered[lower] + (ordered[upper] - ordered[lower]) * (position - lower)


def rate(part: int, whole: int) -> float | None:
    return part / whole if whole else None


@dataclass
class SalesCell:
    """Obligations of one group: counts by outcome and every recorded response time."""

    opened: int = 0
    met_on_time: int = 0
    met_late: int = 0
    breached: int = 0
    cancelled: int = 0
    response_hours_sum: float = 0.0
    response_hundredths: list[int] = field(default_factory=list)

    def add(self, *, status: str, met_at: datetime | None, response_hours: float | None) -> None:
        self.opened += 1
        if status == "met":
            self.met_on_time += 1
        elif status == "breached":
            self.breached += 1
            if met_at is not None:
                self.met_late += 1
        elif status == "cancelled":
            self.cancelled += 1
        if response_hours is not None:
            self.response_hours_sum += response_hours
            self.response_hundredths.append(hundredths(response_hours))

    def merge(self, other: SalesCell) -> None:
        self.opened += other.opened
        self.met_on_time += other.met_on_time
        self.met_late += other.met_late
        self.breached += other.breached
        self.cancelled += other.cancelled
        self.response_hours_sum += other.response_hours_sum
        self.response_hundredths.extend(other.response_hundredths)

    @property
    def pending(self) -> int:
        return self.opened - self.met_on_time - self.breached - self.cancelled

    def figures(self) -> dict[str, Any]:
        ordered = sorted(self.response_hundredths)
        return _figures(self, len(ordered), percentile(ordered, 0.5), percentile(ordered, 0.9))


@dataclass
class SalesTally:
    """Many cells summed for a report: the same counts, and response times as a count per
    value (hundredths of an hour take few distinct values), so that summing cells costs one
    C-level count per value and a percentile needs no sort of every value."""

    opened: int = 0
    met_on_time: int = 0
    met_late: int = 0
    breached: int = 0
    cancelled: int = 0
    response_hours_sum: float = 0.0
    response_counts: Counter = field(default_factory=Counter)

    def add(self, cell: SalesCell | SalesTally) -> None:
        self.opened += cell.opened
        self.met_on_time += cell.met_on_time
        self.met_late += cell.met_late
        self.breached += cell.breached
        self.cancelled += cell.cancelled
        self.response_hours_sum += cell.response_hours_sum
        if isinstance(cell, SalesTally):
            self.response_counts.update(cell.response_counts)
        else:
            self.response_counts.update(cell.response_hundredths)

    @property
    def pending(self) -> int:
        return self.opened - self.met_on_time - self.breached - self.cancelled

    def figures(self) -> dict[str, Any]:
        counted = sorted(self.response_counts.items())
        answered = sum(self.response_counts.values())
        return _figures(self, answered, counted_percentile(counted, answered, 0.5),
                        counted_percentile(counted, answered, 0.9))  # fmt: skip


def counted_percentile(counted: list[tuple[int, int]], total: int, q: float) -> float | None:
    """`percentile` of the values that (value, count) pairs in value order stand for."""
    if not total:
        return None
    position = q * (total - 1)
    lower_rank = math.floor(position)
    upper_rank = min(lower_rank + 1, total - 1)
    lower = upper = None
    seen = 0
    for value, count in counted:
        seen += count
        if lower is None and seen > lower_rank:
            lower = value
        if seen > upper_rank:
            upper = value
            break
    return lower + (upper - lower) * (position - lower_rank)


def _figures(cell, answered: int, median: float | None, p90: float | None) -> dict[str, Any]:
    """Counts, the on-time rate (met on time of those decided: met or breached) and the
    response times in business hours (median, p90, mean) over every recorded answer."""
    return {
        "opened": cell.opened,
        "met_on_time": cell.met_on_time,
        "met_late": cell.met_late,
        "breached": cell.breached,
        "cancelled": cell.cancelled,
        "pending": cell.pending,
        "on_time_rate": rate(cell.met_on_time, cell.met_on_time + cell.breached),
        "responses": answered,
        "median_response_hours": None if median is None else median / 100,
        "p90_response_hours": None if p90 is None else p90 / 100,
        "mean_response_hours": cell.response_hours_sum / answered if answered else None,
    }


@dataclass
class FunnelCell:
    """Marketing's hand-offs and sales' answers to them."""

    mqls: int = 0
    sql_handoffs: int = 0
    accepted: int = 0
    rejected: int = 0
    rejected_by_reason: Counter = field(default_factory=Counter)

    def add(self, *, action: str, to_stage: str, reason_code: str) -> None:
        figure = definitions.figure_of(action=action, to_stage=to_stage, reason_code=reason_code)
        if figure == "mqls":
            self.mqls += 1
        elif figure == "sql_handoffs":
            self.sql_handoffs += 1
        elif figure == "accepted":
            self.accepted += 1
        elif figure == "rejected":
            self.rejected += 1
            self.rejected_by_reason[reason_code or ""] += 1

    def merge(self, other: FunnelCell) -> None:
        self.mqls += other.mqls
        self.sql_handoffs += other.sql_handoffs
        self.accepted += other.accepted
        self.rejected += other.rejected
        self.rejected_by_reason.update(other.rejected_by_reason)

    def is_empty(self) -> bool:
        return not (self.mqls or self.sql_handoffs or self.accepted or self.rejected)

    def figures(self) -> dict[str, Any]:
        return {
            "mqls": self.mqls,
            "sql_handoffs": self.sql_handoffs,
            "accepted": self.accepted,
            "rejected": self.rejected,
            "acceptance_rate": definitions.acceptance_rate(
                accepted=self.accepted, rejected=self.rejected
            ),
        }
