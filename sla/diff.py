"""The terms of an SLA version as a person reads them, and the differences between two."""

from __future__ import annotations

from dataclasses import dataclass

from sla.calendar import DAY_KEYS
from sla.forms import DAY_NAMES, format_intervals
from sla.models import SlaVersion
from sla.terms import COLD_STAGES

_LABELS = (
    ("name", "Name"),
    ("accept_within_hours", "Accept within (business hours)"),
    ("first_touch_within_hours", "First touch within (business hours)"),
    ("hot_score", "Hot from score"),
    ("hot_accept_within_hours", "Hot: accept within"),
    ("hot_first_touch_within_hours", "Hot: first touch within"),
    ("mql_threshold", "MQL threshold"),
    ("sql_threshold", "SQL threshold"),
    ("monthly_mql_target", "MQLs per month"),
    ("monthly_sql_target", "SQL hand-offs per month"),
    ("min_acceptance_rate", "Minimum acceptance rate"),
    ("pacing_tolerance", "At risk when below pace by more than"),
    ("pacing_min_elapsed", "Pace judged from this share of the month"),
    ("acceptance_min_decided", "Acceptance rate judged from (decided hand-offs)"),
    ("auto_recycle_cold", "Recycle cold SQLs"),
    ("reroute_on_breach", "Re-route a breached SQL"),
    ("notify_on_breach", "Notify on breach"),
    ("review_every_months", "Review every (months)"),
)


@dataclass(frozen=True)
class TermDiff:
    label: str
    before: str
    after: str

    @property
    def changed(self) -> bool:
        return self.before != self.after


def _text(value) -> str:
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list | tuple):
        return ", ".join(map(str, value))
    return str(value)


def version_terms(version: SlaVersion) -> list[tuple[str, str]]:
    """(label, value) of every term, the calendar spelled out day by day."""
    terms = [(label, _text(getattr(version, name))) for name, label in _LABELS]
    cold = version.cold_after_days or {}
    terms += [(f"Cold after (days) in {stage}", _text(cold.get(stage))) for stage in COLD_STAGES]
    calendar = version.calendar or {}
    terms += [
        ("Timezone", _text(calendar.get("timezone"))),
        ("Public holidays of", _text(calendar.get("holiday_country"))),
        ("Extra closed days", _text(calendar.get("closed_days"))),
    ]
    hours = calendar.get("working_hours") or {}
    terms += [
        (f"{DAY_NAMES[key]} working hours", format_intervals(hours.get(key) or []) or "closed")
        for key in DAY_KEYS
    ]
    return terms


def version_diff(before: SlaVersion, after: SlaVersion) -> list[TermDiff]:
    return [
        TermDiff(label=label, before=old, after=new)
        for (label, old), (_, new) in zip(version_terms(before), version_terms(after), strict=True)
    ]
