"""The SLA editor's form: every term of a version, the calendar included, as a person types it.

It parses what a person typed into the shapes the services take (the same as the API's);
rules across fields stay in `sla.services.versions`.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms

from sla.calendar import DAY_KEYS
from sla.models import SlaVersion
from sla.models.versions import NOTIFY_CHOICES
from sla.terms import COLD_STAGES, MAX_COLD_DAYS, clean_calendar

DAY_NAMES = dict(zip(DAY_KEYS, ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday",
                                "Saturday", "Sunday"), strict=True))  # fmt: skip
NUMBER_TERMS = (
    "accept_within_hours", "first_touch_within_hours", "hot_score", "hot_accept_within_hours",
    "hot_first_touch_within_hours", "mql_threshold", "sql_threshold", "monthly_mql_target",
    "monthly_sql_target", "min_acceptance_rate", "review_every_months", "pacing_tolerance",
    "pacing_min_elapsed", "acceptance_min_decided",
)  # fmt: skip

# How marketing's side is judged; blank keeps what the version has (defaults when new).
JUDGING_TERMS = ("pacing_tolerance", "pacing_min_elapsed", "acceptance_min_decided")


def _hours(label: str, required: bool = True) -> forms.DecimalField:
    return forms.DecimalField(label=label, min_value=Decimal("0.01"), max_digits=7,
                              decimal_places=2, required=required)  # fmt: skip


def _share(label: str) -> forms.DecimalField:
    return forms.DecimalField(label=label, min_value=0, max_value=1, max_digits=4,
                              decimal_places=3, required=False)  # fmt: skip


def _score(label: str) -> forms.IntegerField:
    return forms.IntegerField(label=label, min_value=0, max_value=100, required=False)


def format_intervals(intervals: list[list[str]]) -> str:
    return ", ".join(f"{start}-{end}" for start, end in intervals)


def parse_intervals(text: str) -> list[list[str]]:
    """ "09:00-13:00, 14:00-18:00" → [["09:00", "13:00"], ["14:00", "18:00"]]; empty: closed."""
    intervals = []
    for part in (piece.strip() for piece in text.replace(";", ",").split(",")):
        if not part:
            continue
        start, dash, end = part.partition("-")
        if not dash:
            raise forms.ValidationError(f'"{part}" is not a range like 09:00-18:00.')
        intervals.append([start.strip(), end.strip()])
    return intervals


class SlaVersionForm(forms.Form):
    name = forms.CharField(label="Name", max_length=200)
    accept_within_hours = _hours("Accept within (business hours)")
    first_touch_within_hours = _hours("First touch within (business hours)")
    hot_score = _score("Hot from score")
    hot_accept_within_hours = _hours("Hot: accept within", required=False)
    hot_first_touch_within_hours = _hours("Hot: first touch within", required=False)
    mql_threshold = _score("MQL threshold (score)")
    sql_threshold = _score("SQL threshold (score)")
    monthly_mql_target = forms.IntegerField(label="MQLs per month", min_value=0)
    monthly_sql_target = forms.IntegerField(label="SQL hand-offs per month", min_value=0)
    min_acceptance_rate = forms.DecimalField(
        label="Minimum acceptance rate (0-1)", min_value=0, max_value=1, max_digits=4,
        decimal_places=3,
    )  # fmt: skip
    pacing_tolerance = _share("At risk when below pace by more than (0-1)")
    pacing_min_elapsed = _share("Judge the pace from this share of the month (0-1)")
    acceptance_min_decided = forms.IntegerField(
        label="Judge the acceptance rate from (decided hand-offs)",
        min_value=1,
        max_value=100000,
        required=False,
    )
    auto_recycle_cold = forms.BooleanField(label="Recycle cold SQLs to marketing", required=False)
    reroute_on_breach = forms.BooleanField(label="Re-route a breached SQL", required=False)
    notify_on_breach = forms.MultipleChoiceField(
        label="Notify on breach", choices=[(c, c.capitalize()) for c in NOTIFY_CHOICES],
        widget=forms.CheckboxSelectMultiple, required=False,
    )  # fmt: skip
    review_every_months = forms.IntegerField(label="Review every (months)", min_value=1,
                                             max_value=36)  # fmt: skip
    timezone = forms.CharField(label="Timezone", max_length=64)
    holiday_country = forms.CharField(label="Public holidays of (country code)", max_length=2,
                                      required=False)  # fmt: skip
    closed_days = forms.CharField(
        label="Extra closed days (one YYYY-MM-DD per line)", required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for stage in COLD_STAGES:
            self.fields[f"cold_{stage}"] = forms.IntegerField(
                label=f"Cold after (days) in {stage}", min_value=1, max_value=MAX_COLD_DAYS,
                required=False,
            )  # fmt: skip
        for key in DAY_KEYS:
            self.fields[f"hours_{key}"] = forms.CharField(
                label=f"{DAY_NAMES[key]} working hours", required=False,
                help_text="e.g. 09:00-13:00, 14:00-18:00; empty: closed",
            )  # fmt: skip

    @property
    def sales_fields(self):
        return [self[name] for name in NUMBER_TERMS[:5]]

    @property
    def marketing_fields(self):
        return [self[name] for name in (*NUMBER_TERMS[7:10], *NUMBER_TERMS[11:14],
                                        *NUMBER_TERMS[5:7])]  # fmt: skip

    @property
    def cold_fields(self):
        return [self[f"cold_{stage}"] for stage in COLD_STAGES]

    @property
    def hours_fields(self):
        return [self[f"hours_{key}"] for key in DAY_KEYS]

    @staticmethod
    def initial_from(version: SlaVersion) -> dict[str, Any]:
        calendar = version.calendar or {}
        initial: dict[str, Any] = {name: getattr(version, name) for name in NUMBER_TERMS}
        initial.update(
            name=version.name, auto_recycle_cold=version.auto_recycle_cold,
            reroute_on_breach=version.reroute_on_breach,
            notify_on_breach=list(version.notify_on_breach or []),
            timezone=calendar.get("timezone", "UTC"),
            holiday_country=calendar.get("holiday_country") or "",
            closed_days="\n".join(calendar.get("closed_days") or []),
        )  # fmt: skip
        for stage in COLD_STAGES:
            initial[f"cold_{stage}"] = (version.cold_after_days or {}).get(stage)
        hours = calendar.get("working_hours") or {}
        for key in DAY_KEYS:
            initial[f"hours_{key}"] = format_intervals(hours.get(key) or [])
        return initial

    def clean(self):
        data = super().clean()
        working_hours = {}
        for key in DAY_KEYS:
            try:
                working_hours[key] = parse_intervals(data.get(f"hours_{key}") or "")
            except forms.ValidationError as error:
                self.add_error(f"hours_{key}", error)
        closed = [line.strip() for line in (data.get("closed_days") or "").splitlines()]
        raw = {
            "timezone": (data.get("timezone") or "").strip(),
            "holiday_country": (data.get("holiday_country") or "").strip().upper() or None,
            "closed_days": [line for line in closed if line],
            "working_hours": working_hours,
        }
        if not self.errors:
            try:
                data["calendar"] = clean_calendar(raw)
            except ValueError as error:
                self.add_error(None, f"Calendar: {error}")
        return data

    def data_for_service(self) -> dict[str, Any]:
        data = self.cleaned_data
        terms = {name: data.get(name) for name in NUMBER_TERMS}
        for name in JUDGING_TERMS:
            if terms[name] is None:
                del terms[name]  # left blank: the default (new draft) or as it was (edit)
        terms.update(
            name=data["name"], auto_recycle_cold=data["auto_recycle_cold"],
            reroute_on_breach=data["reroute_on_breach"],
            notify_on_breach=sorted(set(data["notify_on_breach"])), calendar=data["calendar"],
            cold_after_days={stage: data[f"cold_{stage}"] for stage in COLD_STAGES
                             if data.get(f"cold_{stage}")},
        )  # fmt: skip
        return terms
