"""What each funnel figure counts, as conditions on the immutable stage history.

Figures count *transitions* (the moves made), not distinct leads: a lead qualified again
after it was recycled is a second MQL, as both teams' targets are volumes of hand-offs.

- `mqls`, `sql_handoffs`, `opportunities`, `won`: moves into that stage;
- `accepted`: sales accepting a hand-off;
- `rejected`: sales rejecting one, with a reason. The system's recycle of an SQL nobody
  worked (`COLD_RECYCLE_REASON`) is no judgement of the lead by sales: it is `went_cold`,
  never a rejection, in every report;
- `won_revenue`: the amounts of moves into `won`; `pipeline`: of moves into `opportunity`;
- the acceptance rate: accepted out of those sales decided (accepted + rejected).
"""

from __future__ import annotations

from django.db.models import Q

from leads.models import Stage, TransitionAction

# The reason code the SLA's cold sweep records when it recycles an SQL nobody worked.
COLD_RECYCLE_REASON = "went_cold"

MQL = Q(action=TransitionAction.MOVE, to_stage=Stage.MQL)
SQL_HANDOFF = Q(action=TransitionAction.MOVE, to_stage=Stage.SQL)
ACCEPTED = Q(action=TransitionAction.ACCEPT)
SALES_REJECTION = Q(action=TransitionAction.REJECT) & ~Q(reason_code=COLD_RECYCLE_REASON)
WENT_COLD = Q(action=TransitionAction.REJECT, reason_code=COLD_RECYCLE_REASON)
OPPORTUNITY = Q(action=TransitionAction.MOVE, to_stage=Stage.OPPORTUNITY)
WON = Q(action=TransitionAction.MOVE, to_stage=Stage.WON)

# Each counted figure and its condition, in funnel order.
COUNTED = {
    "mqls": MQL,
    "sql_handoffs": SQL_HANDOFF,
    "accepted": ACCEPTED,
    "rejected": SALES_REJECTION,
    "went_cold": WENT_COLD,
    "opportunities": OPPORTUNITY,
    "won": WON,
}
# Each summed amount and the moves whose `amount` it sums.
SUMMED = {"won_revenue": WON, "pipeline": OPPORTUNITY}

# Every transition any figure counts: a read of the history can filter on it first.
ANY_FIGURE = MQL | SQL_HANDOFF | ACCEPTED | Q(action=TransitionAction.REJECT) | OPPORTUNITY | WON


def is_sales_rejection(*, action: str, reason_code: str) -> bool:
    """The same rule as `SALES_REJECTION`, for code that tallies rows in Python."""
    return action == TransitionAction.REJECT and reason_code != COLD_RECYCLE_REASON


def rate(part: int, whole: int) -> float | None:
    """A share rounded to three places; None when there is nothing to divide."""
    return round(part / whole, 3) if whole else None


def acceptance_rate(*, accepted: int, rejected: int) -> float | None:
    return rate(accepted, accepted + rejected)
