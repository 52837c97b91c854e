"""Sales' feedback to marketing: rejected SQLs by campaign, persona or reason, with the notes.

Read from the immutable history (StageTransition), so the figures of a past period never
change: handed off = moves into `sql` in the period; rejected = rejections in the period.
A group is the lead's campaign or persona as it is now, or the rejection's reason code.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count, F

from leads.funnel import definitions
from leads.funnel.figures import flow_figures, flow_figures_by, transitions_in
from leads.funnel.labels import group_labels
from smarketing.periods import Period, parse_range

GROUPS = ("campaign", "persona", "reason")
DEFAULT_DAYS = 90
NOTES_SHOWN = 200
_GROUP_FIELD = {"campaign": "lead__campaign_id", "persona": "lead__persona_id"}


def parse_period(params, *, tz_name: str, blank_is_default: bool = True) -> Period:
    """`from`/`to` of a query string (the one period rule); the last 90 days by default."""
    return parse_range(
        params, tz_name=tz_name, default_days=DEFAULT_DAYS, blank_is_default=blank_is_default
    )


def rejection_feedback(*, period: Period, group_by: str) -> dict[str, Any]:
    """Counts, rates (rejected / handed off, per group) and the notes, newest first.

    Hand-offs and rejections are the funnel's figures (`leads.funnel`): a cold SQL the
    system recycled is no rejection by sales, so it is neither counted nor listed here.
    By reason, every group shares the period's hand-offs as denominator: the rate says which
    share of all SQLs came back for that reason.
    """
    if group_by not in GROUPS:
        raise ValueError(group_by)
    rejections = transitions_in(period).filter(definitions.SALES_REJECTION)
    totals = flow_figures(period)
    total_handed_off = totals.sql_handoffs
    if group_by == "reason":
        handed_off_by: dict[Any, int] = {}
        rejected_by = dict(
            rejections.order_by()
            .values_list("reason_code")
            .annotate(n=Count("id"))
            .values_list("reason_code", "n")
        )
    else:
        by_group = flow_figures_by(period, group_by=_GROUP_FIELD[group_by])
        handed_off_by = {key: f.sql_handoffs for key, f in by_group.items() if f.sql_handoffs}
        rejected_by = {key: f.rejected for key, f in by_group.items() if f.rejected}
    keys = sorted(set(handed_off_by) | set(rejected_by), key=lambda k: (k is None, str(k)))
    labels = group_labels(group_by, keys)
    groups = []
    for key in keys:
        handed = total_handed_off if group_by == "reason" else handed_off_by.get(key, 0)
        rejected = rejected_by.get(key, 0)
        groups.append({
            "key": key, "label": labels.get(key, str(key)), "handed_off": handed,
            "rejected": rejected, "rate": definitions.rate(rejected, handed),
        })  # fmt: skip
    groups.sort(key=lambda g: (-g["rejected"], -(g["rate"] or 0), g["label"]))
    total_rejected = totals.rejected
    notes = _notes(rejections)
    return {
        "from": period.first_day, "to": period.last_day, "group_by": group_by,
        "handed_off": total_handed_off, "rejected": total_rejected,
        "rate": definitions.rate(total_rejected, total_handed_off),
        "groups": groups, "notes": notes,
    }  # fmt: skip


_NOTE_FIELDS = ("lead_id", "lead__email", "lead__company", "reason_code", "note", "actor__email",
                "actor_label", "at", "lead__campaign_id", "lead__campaign__name",
                "lead__persona_id")  # fmt: skip


def _notes(rejections) -> list[dict[str, Any]]:
    """Every rejection of the period (with its note, if any), newest first."""
    rows = list(
        rejections.order_by(F("at").desc(), F("id").desc()).values(*_NOTE_FIELDS)[:NOTES_SHOWN]
    )
    reasons = group_labels("reason", list({row["reason_code"] for row in rows}))
    return [
        {
            "lead": row["lead_id"],
            "email": row["lead__email"],
            "company": row["lead__company"],
            "reason_code": row["reason_code"],
            "reason": reasons.get(row["reason_code"], row["reason_code"]),
            "note": row["note"],
            "by": row["actor__email"] or row["actor_label"],
            "at": row["at"],
            "campaign": row["lead__campaign_id"],
            "campaign_name": row["lead__campaign__name"],
            "persona": row["lead__persona_id"],
        }
        for row in rows
    ]
