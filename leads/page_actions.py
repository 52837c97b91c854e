"""Which actions a lead page offers an actor, read from the lifecycle the services enforce.

Templates never decide by role: a button is shown because a predicate of `leads.lifecycle`
(the one the service enforces) says the actor may do it on this lead now. The services check
again when the button is pressed (the lead may have changed meanwhile), so a page can be
stale but never wrong.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from leads import lifecycle
from leads.errors import IllegalTransition, StaleStage
from leads.models import SALES_TOUCH_TYPES, EventType, Lead, Stage
from leads.services import lead_transition
from smarketing.errors import DomainError
from smarketing.tenancy.actors import Actor

ACCEPT, REJECT, MOVE, TOUCH = "accept", "reject", "move", "touch"

# The words on the buttons, by the stage a move leads to (the contract names the first two).
MOVE_LABELS = {
    Stage.MQL: "Flag as MQL",
    Stage.SQL: "Hand off to sales",
    Stage.LEAD: "Unflag",
    Stage.OPPORTUNITY: "Move to opportunity",
    Stage.WON: "Mark as won",
    Stage.LOST: "Mark as lost",
    Stage.DISQUALIFIED: "Disqualify",
}
# What a bulk report says happened to each lead that moved.
DONE_VERBS = {Stage.MQL: "flagged", Stage.SQL: "handed off", "assign": "reassigned"}
# The moves marketing makes on many leads at once from the list.
BULK_TARGETS = (Stage.MQL, Stage.SQL)
# How far along the funnel a stage is: a lead past a move's target is "already" there.
_FUNNEL_RANK = {
    Stage.LEAD: 0,
    Stage.RECYCLED: 0,
    Stage.MQL: 1,
    Stage.SQL: 2,
    Stage.OPPORTUNITY: 3,
    Stage.WON: 4,
    Stage.LOST: 4,
    Stage.DISQUALIFIED: 4,
}


@dataclass(frozen=True)
class PageAction:
    """One button (with the inputs it needs) on the lead page."""

    kind: str  # accept | reject | move | touch
    label: str
    target: str | None = None
    needs_reason: bool = False
    needs_amount: bool = False
    takes_amount: bool = False  # an optional amount (the pipeline value of an opportunity)
    takes_note: bool = False
    tone: str = "secondary"  # primary | secondary | danger

    @property
    def url_name(self) -> str:
        return f"leads:{self.kind}"

    @property
    def takes_input(self) -> bool:
        return self.needs_reason or self.needs_amount or self.takes_amount or self.kind == TOUCH


def _tone(move: lifecycle.Move) -> str:
    if move.target in (Stage.DISQUALIFIED, Stage.LOST):
        return "danger"
    if move.target == Stage.LEAD:
        return "secondary"
    return "primary"


def lead_actions(*, lead: Lead, actor: Actor) -> list[PageAction]:
    """The actions `actor` may take on `lead` now, in the order a page shows them."""
    actions: list[PageAction] = []
    if lifecycle.may_accept(lead=lead, role=actor.role, actor_id=actor.user_id):
        actions.append(PageAction(ACCEPT, "Accept", target=Stage.SQL, tone="primary"))
    for move in lifecycle.moves_from(lead.stage):
        if not lifecycle.condition_holds(move, accepted=lead.is_accepted):
            continue
        if not lifecycle.may_move(
            move, role=actor.role, actor_id=actor.user_id, owner_id=lead.owner_id
        ):
            continue
        if move.is_rejection:
            actions.append(
                PageAction(REJECT, "Reject", target=move.target, needs_reason=True,
                           takes_note=True, tone="danger")
            )  # fmt: skip
            continue
        actions.append(
            PageAction(
                MOVE,
                MOVE_LABELS.get(move.target, f"Move to {Stage(move.target).label}"),
                target=move.target,
                needs_reason=move.needs_reason,
                needs_amount=move.needs_amount,
                takes_amount=move.takes_amount,
                takes_note=move.needs_reason or move.asks_amount,
                tone=_tone(move),
            )
        )
    if lifecycle.may_log_touch(lead=lead, role=actor.role, actor_id=actor.user_id):
        actions.append(PageAction(TOUCH, "Log touch", takes_note=True))
    return actions


def bulk_actions(*, actor: Actor) -> list[PageAction]:
    """Moves the actor may make on many leads at once (none for sales: the list is marketing's)."""
    offered = []
    for target in BULK_TARGETS:
        moves = [m for m in lifecycle.MOVES if m.target == target and not m.needs_reason]
        if any(
            lifecycle.may_move(m, role=actor.role, actor_id=actor.user_id, owner_id=None)
            for m in moves
        ):
            offered.append(PageAction(MOVE, MOVE_LABELS[target], target=target, tone="primary"))
    return offered


def touch_types() -> list[tuple[str, str]]:
    return [(value, label) for value, label in EventType.choices if value in SALES_TOUCH_TYPES]


@dataclass
class LeadOutcome:
    lead_id: int
    email: str
    moved: bool
    reason: str = ""


@dataclass
class BulkOutcome:
    target: str
    outcomes: list[LeadOutcome] = field(default_factory=list)

    @property
    def moved(self) -> int:
        return sum(1 for outcome in self.outcomes if outcome.moved)

    @property
    def skipped(self) -> int:
        return len(self.outcomes) - self.moved

    def summary(self) -> str:
        """E.g. "12 flagged, 2 skipped: already SQL." — counts per reason when they differ."""
        text = f"{self.moved} {DONE_VERBS.get(self.target, 'moved')}"
        if not self.skipped:
            return text + "."
        reasons = Counter(outcome.reason for outcome in self.outcomes if not outcome.moved)
        if len(reasons) == 1:
            explained = next(iter(reasons))
        else:
            explained = ", ".join(f"{reason} ({count})" for reason, count in reasons.most_common())
        return f"{text}, {self.skipped} skipped: {explained}."


def _skip_reason(lead: Lead, target: str, error: DomainError) -> str:
    if isinstance(error, IllegalTransition):
        if _FUNNEL_RANK[lead.stage] >= _FUNNEL_RANK[target]:
            return f"already {Stage(lead.stage).label}"
        sources = sorted({m.source for m in lifecycle.MOVES if m.target == target})
        return "not " + " or ".join(Stage(s).label for s in sources) + " yet"
    if isinstance(error, StaleStage):
        return "changed meanwhile"
    return error.detail


def bulk_transition(*, leads: list[Lead], to: str, actor: Actor) -> BulkOutcome:
    """Move each lead through `lead_transition` on its own: one refusal stops no other."""
    result = BulkOutcome(target=to)
    for lead in leads:
        if lead.stage == to:
            result.outcomes.append(
                LeadOutcome(lead.pk, lead.email, False, f"already {Stage(to).label}")
            )
            continue
        try:
            lead_transition(lead=lead, to=to, actor=actor)
        except DomainError as error:
            result.outcomes.append(
                LeadOutcome(lead.pk, lead.email, False, _skip_reason(lead, to, error))
            )
        else:
            result.outcomes.append(LeadOutcome(lead.pk, lead.email, True))
    return result
