"""Sign-off by both teams: the one rule for every agreement between marketing and sales.

An SLA version and a shared goal each bind both teams only once a marketing member and a
sales member have signed it. Both keep `<side>_signed_by` / `<side>_signed_at` for each of
`SIGN_SIDES`; this module says who may sign which side, when a signature is refused, and
whether an agreement is signed by both. The services enforce `sign_refusal`; the pages ask
`signable_sides` to decide which buttons to show.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

from sla.errors import AlreadySigned, InvalidSlaData, SignNotAllowed
from smarketing.errors import DomainError
from smarketing.tenancy.roles import (
    LEADERSHIP_ROLES,
    MARKETING_ROLES,
    SALES_ROLES,
    is_marketing_side,
    is_sales_side,
)

SIGN_SIDES = ("marketing", "sales")
# Managers and admins may sign for either team; one person never signs for both.
SIGNERS = {
    "marketing": MARKETING_ROLES | LEADERSHIP_ROLES,
    "sales": SALES_ROLES | LEADERSHIP_ROLES,
}


class Signable(Protocol):
    """An agreement both teams sign: a row with `<side>_signed_by(_id)` and `<side>_signed_at`."""

    marketing_signed_by_id: int | None
    marketing_signed_at: datetime | None
    sales_signed_by_id: int | None
    sales_signed_at: datetime | None


def signer_id(agreement: Signable, side: str) -> int | None:
    return getattr(agreement, f"{side}_signed_by_id")


def missing_sides(agreement: Signable) -> list[str]:
    """The sides that have not signed yet, in `SIGN_SIDES` order."""
    return [side for side in SIGN_SIDES if getattr(agreement, f"{side}_signed_at") is None]


def is_signed_by_both(agreement: Signable) -> bool:
    return not missing_sides(agreement)


def other_side(side: str) -> str:
    return "sales" if side == "marketing" else "marketing"


def own_side(role: str) -> str | None:
    """The side a marketer or a sales rep signs for; None for managers and admins."""
    if is_marketing_side(role):
        return "marketing"
    if is_sales_side(role):
        return "sales"
    return None


def side_for(*, role: str, requested: str | None) -> str:
    """The side a signature counts for: the one named, else the caller's own team's.

    Managers and admins belong to neither team, so they must name the side. A side named
    against one's role is not corrected here: `sign_refusal` refuses it with its reason.
    """
    if requested:
        return requested
    own = own_side(role)
    if own is None:
        raise InvalidSlaData({"side": ["Managers and admins say which side they sign for: "
                                       "marketing or sales."]})  # fmt: skip
    return own


def caller_refusal(*, side: str, role: str, user_id: int | None) -> DomainError | None:
    """Why this caller may not sign for `side` whatever the agreement; None when they may."""
    if side not in SIGN_SIDES:
        return InvalidSlaData({"side": [f"Sign as {' or '.join(SIGN_SIDES)}."]})
    if user_id is None or role not in SIGNERS[side]:
        return SignNotAllowed(f"Your role ({role}) may not sign for {side}.")
    return None


def sign_refusal(
    *,
    agreement: Signable,
    side: str,
    role: str,
    user_id: int | None,
    closed: DomainError | None,
    name: str,
) -> DomainError | None:
    """Why this person may not sign `agreement` for `side` now; None when they may.

    A person of the side's roles signs (managers and admins for either side), once per
    side; one person cannot sign for both teams: the point is that two sides agreed.
    `closed` is the agreement's own reason to take no signature now (an SLA version that is
    no draft, a goal whose period ended), None when it is open. `name` names the agreement
    in messages ("Version 3"). Signing again a side one signed oneself changes nothing.
    """
    refusal = caller_refusal(side=side, role=role, user_id=user_id)
    if refusal is not None:
        return refusal
    if closed is not None:
        return closed
    other = other_side(side)
    if signer_id(agreement, other) == user_id:
        return SignNotAllowed(f"You signed for {other} already; someone else signs for {side}.")
    signer = signer_id(agreement, side)
    if signer is not None and signer != user_id:
        return AlreadySigned(f"{name} is signed for {side} already.")
    return None


def signable_sides(
    *, agreement: Signable, role: str, user_id: int | None, closed: DomainError | None
) -> list[str]:
    """The sides a page offers this person to sign: allowed, and not signed yet. (Only
    whether a refusal exists matters here, so the agreement's name is not needed.)"""
    return [
        side
        for side in SIGN_SIDES
        if signer_id(agreement, side) is None
        and sign_refusal(agreement=agreement, side=side, role=role, user_id=user_id,
                         closed=closed, name="") is None
    ]  # fmt: skip


def signature_fields(agreement: Any, *, side: str, user: Any, at: datetime) -> list[str]:
    """Set the side's signature on the row in memory; the fields to save. A side already
    signed keeps its first signature."""
    if signer_id(agreement, side) is not None:
        return []
    setattr(agreement, f"{side}_signed_by", user)
    setattr(agreement, f"{side}_signed_at", at)
    return [f"{side}_signed_by", f"{side}_signed_at"]
