"""Counting the funnel's figures (`definitions`) over a period, in one query per read.

Every function reads the current tenant scope. `lead_filter` narrows the leads counted
(e.g. one campaign's); `group_by` names a transition field to group on (e.g.
`lead__campaign_id`).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum

from leads.funnel import definitions
from leads.models import StageTransition
from smarketing.periods import Period


@dataclass
class FlowFigures:
    """The funnel's figures of the moves recorded in a period."""

    mqls: int = 0
    sql_handoffs: int = 0
    accepted: int = 0
    rejected: int = 0
    went_cold: int = 0
    opportunities: int = 0
    won: int = 0
    won_revenue: Decimal = field(default_factory=lambda: Decimal("0"))
    pipeline: Decimal = field(default_factory=lambda: Decimal("0"))

    @property
    def decided(self) -> int:
        return self.accepted + self.rejected

    @property
    def acceptance_rate(self) -> float | None:
        return definitions.acceptance_rate(accepted=self.accepted, rejected=self.rejected)

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "acceptance_rate": self.acceptance_rate}


def _aggregates() -> dict[str, Any]:
    counts = {name: Count("id", filter=cond) for name, cond in definitions.COUNTED.items()}
    sums = {name: Sum("amount", filter=cond) for name, cond in definitions.SUMMED.items()}
    return {**counts, **sums}


def _figures(row: dict[str, Any]) -> FlowFigures:
    return FlowFigures(
        **{name: row.get(name) or 0 for name in definitions.COUNTED},
        **{name: row.get(name) or Decimal("0") for name in definitions.SUMMED},
    )


def transitions_in(period: Period | None, *, lead_filter: Q | None = None) -> QuerySet:
    """The history a figure may count: of the period (all time for None), narrowed."""
    rows = StageTransition.objects.filter(definitions.ANY_FIGURE)
    if period is not None:
        rows = rows.filter(at__gte=period.start, at__lt=period.end)
    if lead_filter is not None:
        rows = rows.filter(lead_filter)
    return rows


def flow_figures(period: Period | None, *, lead_filter: Q | None = None) -> FlowFigures:
    """The figures of the moves recorded in `period` (all time for None)."""
    return _figures(transitions_in(period, lead_filter=lead_filter).aggregate(**_aggregates()))


def flow_figures_by(
    period: Period | None,
    *,
    group_by: str,
    lead_filter: Q | None = None,
    group_expression: Any = None,
) -> dict[Any, FlowFigures]:
    """The same figures per value of the transition field `group_by` (or, with
    `group_expression`, of that expression over each transition, named `group_by`)."""
    rows = transitions_in(period, lead_filter=lead_filter)
    if group_expression is not None:
        rows = rows.annotate(**{group_by: group_expression})
    rows = rows.order_by().values(group_by).annotate(**_aggregates())
    return {row[group_by]: _figures(row) for row in rows}
