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

# The actions of every transition a figure counts: the predicate of the partial index
# `transition_at_idx`, which a read of a period's history names as such so the planner
# takes that index (assignments, merges and erasures are no part of the funnel).
FUNNEL_ACTIONS = (TransitionAction.MOVE, TransitionAction.ACCEPT, TransitionAction.REJECT)
# Every transition any figure counts: a read of the history can filter on it first.
ANY_FIGURE = Q(action__in=FUNNEL_ACTIONS) & (
    MQL | SQL_HANDOFF | ACCEPTED | Q(action=TransitionAction.REJECT) | OPPORTUNITY | WON
)


def is_sales_rejection(*, action: str, reason_code: str) -> bool:
    """The same rule as `SALES_REJECTION`, for code that tallies rows in Python."""
    return action == TransitionAction.REJECT and reason_code != COLD_RECYCLE_REASON


def figure_of(*, action: str, to_stage: str, reason_code: str) -> str | None:
    """The counted figure (a key of `COUNTED`) one transition adds to, or None: the same
    conditions as the `Q` objects above, for code that tallies rows in Python (the stored
    compliance rollups). The property tests hold both to the same answers."""
    if action == TransitionAction.ACCEPT:
        return "accepted"
    if action == TransitionAction.REJECT:
        return (
            "rejected"
            if is_sales_rejection(action=action, reason_code=reason_code)
            else ("went_cold")
        )
    if action == TransitionAction.MOVE:
        return _MOVED_INTO.get(to_stage)
    return None


_MOVED_INTO = {
    Stage.MQL: "mqls",
    Stage.SQL: "sql_handoffs",
    Stage.OPPORTUNITY: "opportunities",
    Stage.WON: "won",
}

# --- the funnel's stages -------------------------------------------------------------------
# The steps a lead walks, top to bottom, and the transition that enters each one (the first
# step is entered by the lead's creation). `accepted` is a step, not a stage: sales taking
# an SQL leaves its stage as it is.
STAGES = ("lead", "mql", "sql", "accepted", "opportunity", "won")
ENTERED_BY = {
    "mql": MQL,
    "sql": SQL_HANDOFF,
    "accepted": ACCEPTED,
    "opportunity": OPPORTUNITY,
    "won": WON,
}
# The same stages under the names of `COUNTED`, so a funnel's flow counts are its figures.
FIGURE_OF_STAGE = {
    "mql": "mqls",
    "sql": "sql_handoffs",
    "accepted": "accepted",
    "opportunity": "opportunities",
    "won": "won",
}
# Top, middle and bottom of the funnel: marketing's, the hand-off's, and sales' deals.
BANDS = {"lead": "tofu", "mql": "tofu", "sql": "mofu", "accepted": "mofu",
         "opportunity": "bofu", "won": "bofu"}  # fmt: skip


def rate(part: int, whole: int) -> float | None:
    """A share rounded to three places; None when there is nothing to divide."""
    return round(part / whole, 3) if whole else None


def acceptance_rate(*, accepted: int, rejected: int) -> float | None:
    return rate(accepted, accepted + rejected)
