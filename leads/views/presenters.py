"""Shape stored JSON and history rows for the lead page; tolerant of partial or old data."""

from __future__ import annotations

from numbers import Real
from typing import Any

from leads.models import EventType, Stage, TransitionAction

FIELD_LABELS = {
    "industry": "Industry",
    "company_size": "Company size",
    "country": "Country",
    "title": "Job title",
    "company": "Company",
}
OPERATOR_LABELS = {
    "equals": "matches the persona's value",
    "in": "is one of the listed values",
    "range": "is within the range",
    "contains_any": "contains a listed keyword",
    "not_in": "is outside the excluded values",
}
PROPERTY_LABELS = {"url": "URL", "utm_source": "UTM source", "utm_campaign": "UTM campaign"}
# The property that says what an event was about, shown beside its type ("Page view: /pricing").
SUBJECT_KEYS = ("page", "url", "title", "asset", "subject", "webinar", "form", "campaign")


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, Real) and not isinstance(value, bool) else None


def _percent(value: Any) -> int | None:
    number = _number(value)
    return None if number is None else max(0, min(100, round(number)))


def field_label(name: str) -> str:
    if name.startswith("custom."):
        return f"{name.removeprefix('custom.').replace('_', ' ').capitalize()} (custom field)"
    return FIELD_LABELS.get(name, name.replace("_", " ").capitalize())


def _criteria(entries: Any, matched: bool) -> list[dict[str, Any]]:
    rows = []
    for entry in entries if isinstance(entries, list) else []:
        if not isinstance(entry, dict) or not isinstance(entry.get("field"), str):
            continue
        operator = entry.get("operator")
        rows.append(
            {
                "field": field_label(entry["field"]),
                "operator": OPERATOR_LABELS.get(operator, str(operator or "")),
                "weight": int(_number(entry.get("weight")) or 0),
                "matched": matched,
            }
        )
    return rows


def _weights(raw: Any) -> dict[str, int] | None:
    if not isinstance(raw, dict):
        return None
    fit, engagement = _number(raw.get("fit")), _number(raw.get("engagement"))
    if fit is None or engagement is None or fit + engagement <= 0:
        return None
    share = round(100 * fit / (fit + engagement))
    return {"fit": share, "engagement": 100 - share}


def present_breakdown(raw: Any) -> dict[str, Any] | None:
    """The breakdown `personas.scoring` stores, made readable; None when the lead is unscored."""
    if not isinstance(raw, dict) or not raw:
        return None
    criteria = raw.get("criteria") if isinstance(raw.get("criteria"), dict) else {}
    matched = _criteria(criteria.get("matched"), True)
    missed = _criteria(criteria.get("missed"), False)
    contributions = raw.get("engagement_contributions")
    points: list[tuple[str, float]] = []
    for kind, value in contributions.items() if isinstance(contributions, dict) else []:
        number = _number(value)
        if number is not None and number > 0:
            points.append((str(kind), number))
    total_points = sum(value for _, value in points)
    persona = raw.get("persona") if isinstance(raw.get("persona"), dict) else None
    labels = dict(EventType.choices)
    return {
        "score": _percent(raw.get("score")),
        "fit": _percent(raw.get("fit")),
        "engagement": _percent(raw.get("engagement")),
        "weights": _weights(raw.get("weights")),
        "persona": persona,
        "criteria": sorted(matched + missed, key=lambda c: (not c["matched"], -c["weight"])),
        "matched_weight": sum(c["weight"] for c in matched),
        "total_weight": sum(c["weight"] for c in matched + missed),
        "contributions": [
            {
                "label": labels.get(kind, kind.replace("_", " ").capitalize()),
                "points": round(value, 1),
                "share": round(100 * value / total_points),
            }
            for kind, value in sorted(points, key=lambda item: -item[1])
        ],
    }


def _stage_label(value: str) -> str:
    return Stage(value).label if value in Stage.values else value


def _transition_title(entry: dict[str, Any]) -> str:
    action = entry["action"]
    if action == TransitionAction.ACCEPT:
        return "Accepted"
    if action == TransitionAction.REJECT:
        return "Rejected, back to marketing"
    if action == TransitionAction.ASSIGN:
        return "Assigned"
    if action == TransitionAction.MERGE:
        return "Profile updated from a new submission"
    if action == TransitionAction.ERASE:
        return "Personal data erased"
    return f"{_stage_label(entry['from'])} → {_stage_label(entry['to'])}"


def _shown(value: Any) -> bool:
    return isinstance(value, str | int | float) and not isinstance(value, bool) and str(value) != ""


def _event_subject(properties: Any) -> str:
    if not isinstance(properties, dict):
        return ""
    return next((str(properties[key]) for key in SUBJECT_KEYS if _shown(properties.get(key))), "")


def _event_details(properties: Any, subject: str = "") -> list[tuple[str, str]]:
    """The event's other scalar properties, labelled; the subject and the note show apart."""
    if not isinstance(properties, dict):
        return []
    return [
        (PROPERTY_LABELS.get(key, key.replace("_", " ").capitalize()), str(value))
        for key, value in properties.items()
        if key != "note" and _shown(value) and not (subject and str(value) == subject)
    ][:6]


def present_timeline(
    entries: list[dict[str, Any]], reason_labels: dict[str, str]
) -> list[dict[str, Any]]:
    """History rows (newest first, as `lead_history` returns them) with words for people."""
    labels = dict(EventType.choices)
    timeline = []
    for entry in entries:
        if entry["kind"] == "transition":
            code = entry.get("reason_code") or ""
            timeline.append(
                {
                    "kind": "transition",
                    "action": entry["action"],
                    "title": _transition_title(entry),
                    "to": entry["to"],
                    "actor": entry.get("actor"),
                    "reason": reason_labels.get(code, code.replace("_", " ").capitalize()),
                    "note": entry.get("note") or "",
                    "amount": entry.get("amount"),
                    "at": entry["at"],
                    "subject": "",
                    "details": [],
                }
            )
        else:
            properties = entry.get("properties")
            note = properties.get("note", "") if isinstance(properties, dict) else ""
            subject = _event_subject(properties)
            timeline.append(
                {
                    "kind": "event",
                    "action": entry["type"],
                    "title": labels.get(entry["type"], entry["type"]),
                    "actor": entry.get("actor"),
                    "reason": "",
                    "note": note if isinstance(note, str) else "",
                    "amount": None,
                    "at": entry["at"],
                    "subject": subject,
                    "details": _event_details(properties, subject),
                }
            )
    return timeline
