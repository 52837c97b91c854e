"""Which campaign a funnel figure is credited to.

Every figure happens at an instant: a lead is created, a transition is recorded. The
campaigns that may take the credit are those in the lead's campaign history up to and
including that instant (a campaign that reached the lead later had no part in it):

- `first` touch: the earliest of them, the campaign that brought the lead in;
- `last` touch: the latest of them, the campaign that reached the lead last before the move.

Touches at the same instant are ordered by their id (the order they were recorded). A figure
whose lead had no campaign touch by then is unattributed.
"""

from __future__ import annotations

from django.db.models import OuterRef, Subquery

from smarketing.errors import InvalidInput

FIRST = "first"
LAST = "last"
ATTRIBUTIONS = (FIRST, LAST)


class InvalidAttribution(InvalidInput):
    code = "invalid_attribution"
    title = "Invalid attribution"


def parse_attribution(params, *, default: str = FIRST) -> str:
    raw = params.get("attribution")
    if raw is None:
        return default
    value = str(raw).strip().lower()
    if value not in ATTRIBUTIONS:
        raise InvalidAttribution({"attribution": [f"Use one of {', '.join(ATTRIBUTIONS)}."]})
    return value


def credited_campaign(attribution: str, *, lead: str, at: str) -> Subquery:
    """The credited campaign's id of each row of an outer query whose lead id is the field
    `lead` and whose instant is the field `at` (null when unattributed)."""
    from leads.models import CampaignTouch

    order = ("at", "id") if attribution == FIRST else ("-at", "-id")
    touches = CampaignTouch.objects.filter(lead_id=OuterRef(lead), at__lte=OuterRef(at))
    return Subquery(touches.order_by(*order).values("campaign_id")[:1])
