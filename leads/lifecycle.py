"""The stage graph and who may move along it: the one table every caller reads.

Managers and admins may make every legal move. Marketing owns `lead` and `mql`; the hand-off
is `mql` → `sql`; sales accepts, rejects (`sql` → `recycled`) and works its accepted SQLs.

Beside the table, the predicates every caller asks: the services enforce them, the pages
ask them to decide which buttons to show, and the queue reads `takeable` to list what a rep
may take. A rule changed here changes everywhere at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from django.db.models import Q

from leads.models import FINAL_STAGES, Lead, Stage
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
    # An amount the move may carry: the deal's expected value entering the pipeline.
    takes_amount: bool = False
    automatic: bool = False  # the system makes it when a score crosses an SLA threshold

    @property
    def asks_amount(self) -> bool:
        """Whether the move has an amount field (required or optional)."""
        return self.needs_amount or self.takes_amount

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
    Move(Stage.SQL, Stage.OPPORTUNITY, Who.OWNER, Condition.ACCEPTED, takes_amount=True),
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


# The people who take SQLs from the queue and work them: sales, and managers or admins.
_SALES_DESK = SALES_ROLES | LEADERSHIP_ROLES


def accepts_sqls(*, role: str) -> bool:
    """Whether the role takes SQLs at all (whichever SQL it is)."""
    return role in _SALES_DESK


def takeable(*, role: str, actor_id: int | None) -> Q:
    """The SQLs `actor_id` may accept, as a filter: handed off, not accepted yet, and free or
    routed to them (managers and admins: any). The queue lists these; `lead_accept` takes a
    lead only through this filter, so a race with a re-route cannot be won by the wrong rep.
    """
    if actor_id is None or not accepts_sqls(role=role):
        return Q(pk__in=[])
    # A merged lead's tombstone keeps its stage for history, but nobody works it.
    waiting = Q(stage=Stage.SQL, accepted_at__isnull=True, merged_into__isnull=True)
    if role in LEADERSHIP_ROLES:
        return waiting
    return waiting & (Q(owner__isnull=True) | Q(owner_id=actor_id))


def may_accept(*, lead: Lead, role: str, actor_id: int | None) -> bool:
    """`takeable`, asked of one lead in memory (what the lead page shows)."""
    if actor_id is None or not accepts_sqls(role=role):
        return False
    if lead.stage != Stage.SQL or lead.accepted_at is not None:
        return False
    return role in LEADERSHIP_ROLES or lead.owner_id in (None, actor_id)


def logs_touches(*, role: str, actor_id: int | None) -> bool:
    """Only people log sales touches (calls, e-mails, meetings): a sales rep, a manager or an
    admin. A touch meets the first-touch obligation, which an integration key or the system
    cannot answer for them; integrations report engagement only."""
    return actor_id is not None and role in _SALES_DESK


def may_log_touch(*, lead: Lead, role: str, actor_id: int | None) -> bool:
    """A person of the sales desk logs touches on a lead still in play (not won, lost or
    disqualified)."""
    return logs_touches(role=role, actor_id=actor_id) and lead.stage not in FINAL_STAGES
