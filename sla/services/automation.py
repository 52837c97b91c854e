"""The shared definitions at work: a score that reaches the SLA's thresholds moves the lead.

"Reaches" means crosses upwards: the previous score was below the threshold, the new one is
at or above it. A lead that sales sent back (recycled) with a high score therefore does not
bounce straight back to sales on its next re-score; it moves again when its score climbs
across the threshold anew, or when a marketer hands it off by hand.
"""

from __future__ import annotations

from typing import Any

from leads.models import Lead, Stage
from leads.services import leads_transition
from sla import selectors
from smarketing.tenancy.actors import Actor

_TO_MQL_FROM = frozenset({Stage.LEAD, Stage.RECYCLED})
NOTE = "Automatic: the score reached the SLA threshold."


def _crossed(threshold: int | None, previous: int, score: int) -> bool:
    return threshold is not None and previous < threshold <= score


def leads_qualify_by_score(*, items: list[dict[str, Any]]) -> dict[str, int]:
    """Apply the active SLA's mql_threshold and sql_threshold to freshly scored leads.

    Each threshold moves its leads as one batch (an import's re-score crosses hundreds at
    once); a lead that crossed both goes to MQL with the first and on to SQL with the second.
    Someone (or a racing re-score) who moved a lead first wins: the batch skips it.
    """
    counts = {"mql": 0, "sql": 0}
    thresholds = mql_threshold, sql_threshold = selectors.thresholds_in_force()
    if mql_threshold is None and sql_threshold is None:
        return counts
    # A lead scored for the first time crosses from zero.
    scores = [(item["lead_id"], item.get("previous_score") or 0, item["score"]) for item in items]
    candidates = [
        (lead_id, previous, score)
        for lead_id, previous, score in scores
        if any(_crossed(t, previous, score) for t in thresholds)
    ]
    if not candidates:
        return counts  # the usual re-score: nothing crossed, no lead is even read
    # Only the leads that crossed are read (as they stand in this transaction, new scores
    # and all): the batch's others, most of an import's, are never built.
    by_id = Lead.objects.in_bulk(sorted({lead_id for lead_id, _, _ in candidates}))
    crossing: list[tuple[Lead, int, int]] = []
    for lead_id, previous, score in candidates:
        lead = by_id.get(lead_id)
        if lead is not None and lead.erased_at is None:
            crossing.append((lead, previous, score))
    for to, threshold, sources in (
        (Stage.MQL, mql_threshold, _TO_MQL_FROM),
        (Stage.SQL, sql_threshold, frozenset({Stage.MQL})),
    ):
        due = [lead for lead, previous, score in crossing
               if lead.stage in sources and _crossed(threshold, previous, score)]  # fmt: skip
        if due:
            counts[to] = len(leads_transition(leads=due, to=to, actor=Actor.system(), note=NOTE))
    return counts
