"""Sales' feedback to marketing: rejected SQLs by campaign, persona or reason, with the notes.

Read from the immutable history (StageTransition), so the figures of a past period never
change: handed off = moves into `sql` in the period; rejected = rejections in the period.
A group is the lead's campaign or persona as it is now, or the rejection's reason code.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Count, F

from leads.models import Campaign, Lead, RejectionReason, Stage, StageTransition, TransitionAction

GROUPS = ("campaign", "persona", "reason")
DEFAULT_DAYS = 90
NOTES_SHOWN = 200
_GROUP_FIELD = {"campaign": "lead__campaign_id", "persona": "lead__persona_id"}


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # inclusive

    def bounds(self, tz_name: str) -> tuple[datetime, datetime]:
        zone = ZoneInfo(tz_name or "UTC")
        return (
            datetime.combine(self.start, time.min, zone),
            datetime.combine(self.end + timedelta(days=1), time.min, zone),
        )


def default_period(today: date) -> Period:
    return Period(start=today - timedelta(days=DEFAULT_DAYS - 1), end=today)


def parse_period(params, *, tz_name: str, blank_is_default: bool = True) -> Period:
    """`from`/`to` (YYYY-MM-DD, inclusive) of a query string; the last 90 days by default.

    A form leaves a date it does not set blank; the API, whose schema calls both dates,
    refuses a blank one (`blank_is_default=False`) and takes only an absent one as default.
    """
    from leads.errors import InvalidLeadData

    today = datetime.now(ZoneInfo(tz_name or "UTC")).date()
    default = default_period(today)
    values = {}
    for name, fallback in (("from", default.start), ("to", default.end)):
        raw = params.get(name)
        if raw is None or (blank_is_default and not raw):
            values[name] = fallback
            continue
        try:
            values[name] = date.fromisoformat(raw)
        except ValueError:
            raise InvalidLeadData({name: ["A date as YYYY-MM-DD."]}) from None
    if values["from"] > values["to"]:
        raise InvalidLeadData({"from": ["The first day is after the last."]})
    if (values["to"] - values["from"]).days > 3660:
        raise InvalidLeadData({"from": ["At most ten years at once."]})
    return Period(start=values["from"], end=values["to"])


def _persona_names(ids: list[int]) -> dict[int, str]:
    """Names as the scoring stored them on leads (leads knows no personas app)."""
    names: dict[int, str] = {}
    for persona_id in ids[:100]:
        name = (
            Lead.objects.filter(persona_id=persona_id)
            .exclude(score_breakdown__persona__name=None)
            .values_list("score_breakdown__persona__name", flat=True)
            .first()
        )
        if isinstance(name, str) and name:
            names[persona_id] = name
    return names


def _labels(group_by: str, keys: list) -> dict[Any, str]:
    present = [key for key in keys if key not in (None, "")]
    if group_by == "campaign":
        found = dict(Campaign.objects.filter(pk__in=present).values_list("pk", "name"))
        labels = {key: found.get(key, f"Campaign #{key}") for key in present}
        labels[None] = "No campaign"
    elif group_by == "persona":
        found = _persona_names(present)
        labels = {key: found.get(key, f"Persona #{key}") for key in present}
        labels[None] = "No persona"
    else:
        found = dict(RejectionReason.objects.values_list("code", "label"))
        labels = {key: found.get(key, key.replace("_", " ").capitalize()) for key in present}
        labels[""] = "No reason"
    return labels


def rejection_feedback(*, period: Period, group_by: str, tz_name: str) -> dict[str, Any]:
    """Counts, rates (rejected / handed off, per group) and the notes, newest first.

    By reason, every group shares the period's hand-offs as denominator: the rate says which
    share of all SQLs came back for that reason.
    """
    if group_by not in GROUPS:
        raise ValueError(group_by)
    start, end = period.bounds(tz_name)
    in_period = StageTransition.objects.filter(at__gte=start, at__lt=end)
    handoffs = in_period.filter(action=TransitionAction.MOVE, to_stage=Stage.SQL)
    rejections = in_period.filter(action=TransitionAction.REJECT)
    total_handed_off = handoffs.count()
    if group_by == "reason":
        handed_off_by: dict[Any, int] = {}
        rejected_by = dict(
            rejections.values_list("reason_code")
            .annotate(n=Count("id"))
            .values_list("reason_code", "n")
        )
    else:
        field = _GROUP_FIELD[group_by]
        handed_off_by = dict(
            handoffs.values_list(field).annotate(n=Count("id")).values_list(field, "n")
        )
        rejected_by = dict(
            rejections.values_list(field).annotate(n=Count("id")).values_list(field, "n")
        )
    keys = sorted(set(handed_off_by) | set(rejected_by), key=lambda k: (k is None, str(k)))
    labels = _labels(group_by, keys)
    groups = []
    for key in keys:
        handed = total_handed_off if group_by == "reason" else handed_off_by.get(key, 0)
        rejected = rejected_by.get(key, 0)
        groups.append({
            "key": key, "label": labels.get(key, str(key)), "handed_off": handed,
            "rejected": rejected, "rate": round(rejected / handed, 3) if handed else None,
        })  # fmt: skip
    groups.sort(key=lambda g: (-g["rejected"], -(g["rate"] or 0), g["label"]))
    total_rejected = rejections.count()
    notes = _notes(rejections)
    return {
        "from": period.start, "to": period.end, "group_by": group_by,
        "handed_off": total_handed_off, "rejected": total_rejected,
        "rate": round(total_rejected / total_handed_off, 3) if total_handed_off else None,
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
    reasons = _labels("reason", list({row["reason_code"] for row in rows}))
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
