"""The shared definitions at work: a score that reaches the SLA's thresholds moves the lead.

"Reaches" means crosses upwards: the previous score was below the threshold, the new one is
at or above it. A lead that sales sent back (recycled) with a high score therefore does not
bounce straight back to sales on its next re-score; it moves again when its score climbs
across the threshold anew, or when a marketer hands it off by hand.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from leads.models import Lead, Stage
from leads.services import lead_transition
from sla import selectors
from smarketing.errors import DomainError
from smarketing.tenancy.actors import Actor

_TO_MQL_FROM = frozenset({Stage.LEAD, Stage.RECYCLED})


def _crossed(threshold: int | None, previous: int, score: int) -> bool:
    return threshold is not None and previous < threshold <= score


def _move(lead: Lead, to: str) -> bool:
    try:
        lead_transition(lead=lead, to=to, actor=Actor.system(),
                        note="Automatic: the score reached the SLA threshold.")  # fmt: skip
    except DomainError:
        # Someone (or a racing re-score) moved the lead first: the conditional update in
        # lead_transition lets exactly one move win.
        return False
    return True


def leads_qualify_by_score(
    *, items: list[dict[str, Any]], leads: Sequence[Lead] | None = None
) -> dict[str, int]:
    """Apply the active SLA's mql_threshold and sql_threshold to freshly scored leads."""
    counts = {"mql": 0, "sql": 0}
    thresholds = mql_threshold, sql_threshold = selectors.thresholds_in_force()
    if mql_threshold is None and sql_threshold is None:
        return counts
    candidates = [
        item
        for item in items
        if any(_crossed(t, item.get("previous_score") or 0, item["score"]) for t in thresholds)
    ]
    if not candidates:
        return counts  # the usual re-score: nothing crossed, no lead is even read
    by_id = {lead.pk: lead for lead in leads or []}
    missing = [item["lead_id"] for item in candidates if item["lead_id"] not in by_id]
    if missing:
        by_id.update(Lead.objects.in_bulk(missing))
    for item in candidates:
        lead = by_id.get(item["lead_id"])
        if lead is None or lead.erased_at is not None:
            continue
        score, previous = item["score"], item.get("previous_score") or 0
        if lead.stage in _TO_MQL_FROM and _crossed(mql_threshold, previous, score):
            counts["mql"] += _move(lead, Stage.MQL)
        if lead.stage == Stage.MQL and _crossed(sql_threshold, previous, score):
            counts["sql"] += _move(lead, Stage.SQL)
    return counts
