"""What a goal can be set on: one table, read by the model's choices, the services that
check a target, and the scoreboard that reads the actual from the funnel's figures.

Every actual comes from `leads.funnel.figures.flow_figures`, the one definition of the funnel
every report reads, so a goal and a report can never disagree on what was done.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import Enum

from django.db import models

from leads.funnel.figures import FlowFigures


class Kind(Enum):
    COUNT = "count"  # a volume of moves: whole numbers, prorated over the period
    MONEY = "money"  # a sum of amounts: two decimals, prorated over the period
    RATE = "rate"  # a share from 0 to 1: a level to hold, not prorated


class GoalMetric(models.TextChoices):
    WON_REVENUE = "won_revenue", "Won revenue"
    PIPELINE = "pipeline", "Pipeline created"
    MQLS = "mqls", "MQLs"
    SQL_HANDOFFS = "sql_handoffs", "SQL hand-offs"
    ACCEPTED_SQLS = "accepted_sqls", "Accepted SQLs"
    ACCEPTANCE_RATE = "acceptance_rate", "Acceptance rate"


class GoalOwner(models.TextChoices):
    MARKETING = "marketing", "Marketing"
    SALES = "sales", "Sales"
    BOTH = "both", "Both teams"


@dataclass(frozen=True)
class Metric:
    kind: Kind
    figure: str  # the attribute of `FlowFigures` that is this metric's actual

    def actual(self, figures: FlowFigures) -> Decimal | None:
        """The metric's actual; None for a rate with nothing to divide yet."""
        value = getattr(figures, self.figure)
        return None if value is None else Decimal(str(value))

    def target_problem(self, target: Decimal) -> str | None:
        """Why `target` cannot be this metric's target; None when it can."""
        if target <= 0:
            return "A target must be positive."
        if self.kind is Kind.COUNT and target != target.to_integral_value():
            return "A count's target is a whole number."
        if self.kind is Kind.MONEY and target != target.quantize(Decimal("0.01")):
            return "An amount's target has at most two decimals."
        if self.kind is Kind.RATE and target > 1:
            return "A rate's target is a share from 0 to 1, e.g. 0.6 for 60 %."
        if self.kind is Kind.RATE and target != target.quantize(Decimal("0.001")):
            return "A rate's target has at most three decimals."
        return None


METRICS: dict[str, Metric] = {
    GoalMetric.WON_REVENUE: Metric(Kind.MONEY, "won_revenue"),
    GoalMetric.PIPELINE: Metric(Kind.MONEY, "pipeline"),
    GoalMetric.MQLS: Metric(Kind.COUNT, "mqls"),
    GoalMetric.SQL_HANDOFFS: Metric(Kind.COUNT, "sql_handoffs"),
    GoalMetric.ACCEPTED_SQLS: Metric(Kind.COUNT, "accepted"),
    GoalMetric.ACCEPTANCE_RATE: Metric(Kind.RATE, "acceptance_rate"),
}
