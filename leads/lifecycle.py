"""The stage graph and who may move along it: the one table every caller reads.

Managers and admins may make every legal move. Marketing owns `lead` and `mql`; the hand-off
is `mql` → `sql`; sales accepts, rejects (`sql` → `recycled`) and works its accepted SQLs.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from leads.models import Stage
from smarketing.tenancy.roles import LEADERSHIP_ROLES, MARKETING_ROLES, SALES_ROLES


class Who(Enum):
    MARKETING = "marketing"
    SALES = "sales"  # any sales rep, on an SQL not accepted yet or owned by them
    OWNER = "owner"  # the lead's owner


class Condition(Enum):
    ANY = "any"
    ACCEPTED = "accepted"


@dataclass(frozen=True)
class Move:
    source: str
    target: str
    who: Who
    condition: Condition = Condition.ANY
    needs_reason: bool = False
    needs_amount: bool = False
    automatic: bool = False  # the system makes it when a score crosses an SLA threshold

    @property
    def is_rejection(self) -> bool:
        return self.source == Stage.SQL and self.target == Stage.RECYCLED


MOVES: tuple[Move, ...] = (
    Move(Stage.LEAD, Stage.MQL, Who.MARKETING, automatic=True),
    Move(Stage.LEAD, Stage.DISQUALIFIED, Who.MARKETING, needs_reason=True),
    Move(Stage.MQL, Stage.LEAD, Who.MARKETING),
    Move(Stage.MQL, Stage.SQL, Who.MARKETING, automatic=True),
    Move(Stage.MQL, Stage.DISQUALIFIED, Who.MARKETING, needs_reason=True),
    # Rejecting: an SQL nobody accepted yet, or one the rep accepted and now sends back.
    Move(Stage.SQL, Stage.RECYCLED, Who.SALES, needs_reason=True),
    Move(Stage.SQL, Stage.OPPORTUNITY, Who.OWNER, Condition.ACCEPTED),
    Move(Stage.SQL, Stage.LOST, Who.OWNER, Condition.ACCEPTED, needs_reason=True),
    Move(Stage.SQL, Stage.DISQUALIFIED, Who.OWNER, Condition.ACCEPTED, needs_reason=True),
    Move(Stage.OPPORTUNITY, Stage.WON, Who.OWNER, needs_amount=True),
    Move(Stage.OPPORTUNITY, Stage.LOST, Who.OWNER, needs_reason=True),
    Move(Stage.RECYCLED, Stage.MQL, Who.MARKETING),
    Move(Stage.RECYCLED, Stage.DISQUALIFIED, Who.MARKETING, needs_reason=True),
)

_BY_EDGE = {(move.source, move.target): move for move in MOVES}


def find_move(source: str, target: str) -> Move | None:
    return _BY_EDGE.get((source, target))


def moves_from(source: str) -> list[Move]:
    return [move for move in MOVES if move.source == source]


def condition_holds(move: Move, *, accepted: bool) -> bool:
    return accepted or move.condition is not Condition.ACCEPTED


def may_move(move: Move, *, role: str, actor_id: int | None, owner_id: int | None) -> bool:
    """Whether `role` (acting as `actor_id`) may make `move` on a lead owned by `owner_id`."""
    if role in LEADERSHIP_ROLES:
        return True
    if move.who is Who.MARKETING:
        return role in MARKETING_ROLES
    if move.who is Who.SALES:
        return role in SALES_ROLES and owner_id in (None, actor_id)
    return actor_id is not None and owner_id == actor_id


def may_accept(*, role: str) -> bool:
    return role in SALES_ROLES or role in LEADERSHIP_ROLES
