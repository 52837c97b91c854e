"""How a goal stands: one rule, read by the scoreboard (and so by the API and the page).

- A volume (a count or an amount: MQLs, hand-offs, accepted SQLs, pipeline, won revenue)
  only grows within its period, so it is `met` as soon as the actual reaches the target,
  even before the period ends; after the end, short of the target, it is `missed`; before,
  it is `on_track` while the actual is at least the expected-by-now figure (the target
  prorated by business time elapsed, `sla.pacing`), `at_risk` when it is below.
- A rate (the acceptance rate) can fall again, so it is a level to hold, not prorated: it is
  `met` or `missed` only once the period ended (at or above the target, or below it / with
  no hand-off decided); before, `on_track` at or above the target or while nothing was
  decided yet, `at_risk` below it.
"""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum

from sla.goals.metrics import Kind


class GoalStatus(StrEnum):
    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    MET = "met"
    MISSED = "missed"


def goal_status(
    *, kind: Kind, target: Decimal, actual: Decimal | None, expected: Decimal, ended: bool
) -> GoalStatus:
    if kind is Kind.RATE:
        if ended:
            return GoalStatus.MET if actual is not None and actual >= target else GoalStatus.MISSED
        if actual is None or actual >= target:
            return GoalStatus.ON_TRACK
        return GoalStatus.AT_RISK
    reached = actual or Decimal("0")
    if reached >= target:
        return GoalStatus.MET
    if ended:
        return GoalStatus.MISSED
    return GoalStatus.ON_TRACK if reached >= expected else GoalStatus.AT_RISK
