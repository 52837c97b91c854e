"""Who hears that sales rejected a hand-off: the one rule, for the rejection's own
notification (`lead.rejected`) and for the daily digest.

The person who handed the lead off hears of it: the actor of its last hand-off (the move to
`sql`) before the rejection. When the system handed it off (the score reached the SLA's
threshold), or the person who did is no longer an active member, the campaign's owner
hears of it; with no owner (or none still a member), every marketer of the tenant does.
"""

from __future__ import annotations

from datetime import datetime

from leads.models import Lead, Stage, StageTransition, TransitionAction
from smarketing.tenancy.models import Membership
from smarketing.tenancy.roles import Role

Rejection = tuple[int, datetime]  # (lead id, when sales rejected it)


def rejection_recipients(rejections: list[Rejection]) -> dict[Rejection, list[int]]:
    """User ids to tell of each rejection, in a fixed number of queries for any number of
    rejections (of the current tenant scope)."""
    if not rejections:
        return {}
    lead_ids = {lead_id for lead_id, _ in rejections}
    handoffs: dict[int, list[tuple[datetime, int | None]]] = {}
    for lead_id, at, actor_id in (
        StageTransition.objects.filter(
            lead_id__in=lead_ids, action=TransitionAction.MOVE, to_stage=Stage.SQL
        )
        .order_by("at", "id")
        .values_list("lead_id", "at", "actor_id")
    ):
        handoffs.setdefault(lead_id, []).append((at, actor_id))
    owners = dict(
        Lead.objects.filter(pk__in=lead_ids, campaign__owner__isnull=False).values_list(
            "pk", "campaign__owner_id"
        )
    )
    people = {actor for rows in handoffs.values() for _, actor in rows if actor is not None}
    members = set(
        Membership.objects.filter(
            user_id__in=people | set(owners.values()), is_active=True
        ).values_list("user_id", flat=True)
    )
    marketers: list[int] | None = None
    found: dict[Rejection, list[int]] = {}
    for lead_id, rejected_at in rejections:
        before = [actor for at, actor in handoffs.get(lead_id, []) if at <= rejected_at]
        actor = before[-1] if before else None
        if actor is not None and actor in members:
            found[(lead_id, rejected_at)] = [actor]
        elif owners.get(lead_id) in members:
            found[(lead_id, rejected_at)] = [owners[lead_id]]
        else:
            if marketers is None:
                marketers = list(
                    Membership.objects.filter(role=Role.MARKETER, is_active=True)
                    .order_by("user_id")
                    .values_list("user_id", flat=True)
                )
            found[(lead_id, rejected_at)] = marketers
    return found
