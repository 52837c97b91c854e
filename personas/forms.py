"""Page forms: they turn what people type into the data the services take (and back).

The rules stay in `personas.input` and the services; these only translate text boxes
(one entry per line, comma-separated values) to lists and numbers.
"""

from __future__ import annotations

from typing import Any

from django import forms

from leads.models import EventType
from personas.input import LIST_FIELDS
from personas.scoring import CUSTOM_PREFIX, OPERATORS, STANDARD_FIELDS

OPERATOR_LABELS = {
    "equals": "equals",
    "in": "is one of",
    "not_in": "is none of",
    "contains_any": "contains any keyword",
    "range": "is in range",
}
LIST_LABELS = {
    "pains": "Pains",
    "goals": "Goals",
    "objections": "Objections",
    "preferred_channels": "Preferred channels",
    "typical_titles": "Typical titles",
}


class PersonaForm(forms.Form):
    name = forms.CharField(max_length=200)
    summary = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in LIST_FIELDS:
            self.fields[name] = forms.CharField(
                label=LIST_LABELS[name],
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
                help_text="One per line.",
            )

    @staticmethod
    def initial_from(version) -> dict[str, Any]:
        initial = {"name": version.name, "summary": version.summary}
        initial.update({name: "\n".join(getattr(version, name)) for name in LIST_FIELDS})
        return initial

    def data_for_service(self) -> dict[str, Any]:
        data = {"name": self.cleaned_data["name"], "summary": self.cleaned_data["summary"]}
        for name in LIST_FIELDS:
            data[name] = [line.strip() for line in self.cleaned_data[name].splitlines()]
        return data


class CriterionForm(forms.Form):
    # The page offers the lead fields in a picker, plus "custom" with a key typed beside it;
    # a posted "custom.<key>" (or any name) is taken as it is and checked by the service.
    field = forms.CharField(max_length=100, required=False)
    custom_key = forms.CharField(max_length=90, required=False)
    operator = forms.ChoiceField(
        choices=[(op, OPERATOR_LABELS[op]) for op in OPERATORS], required=False
    )
    value = forms.CharField(
        max_length=1000,
        required=False,
        help_text="Lists: comma-separated. Range: low, high (leave one side empty for open).",
    )
    weight = forms.IntegerField(min_value=1, max_value=100, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if (data.get("field") or "").strip() == CUSTOM_CHOICE:
            key = (data.get("custom_key") or "").strip()
            if not key:
                self.add_error("custom_key", "Name the custom field (the key in custom_fields).")
            data["field"] = f"{CUSTOM_PREFIX}{key}"
        return data

    def is_blank(self) -> bool:
        data = self.cleaned_data
        return not (data.get("field") or data.get("value") or data.get("weight"))

    def criterion(self) -> dict[str, Any]:
        data = self.cleaned_data
        field, operator = data["field"].strip(), data["operator"]
        return {
            "field": field,
            "operator": operator,
            "value": parse_value(field, operator, data["value"]),
            "weight": data["weight"],
        }


# One empty row; the page adds more in place (static/js/persona_form.js).
CriterionFormSet = forms.formset_factory(CriterionForm, extra=1, max_num=30, absolute_max=30)
CUSTOM_CHOICE = "custom"
FIELD_LABELS = {
    "industry": "Industry",
    "company_size": "Company size (employees)",
    "country": "Country",
    "title": "Job title",
    "company": "Company",
}


def field_choices() -> list[tuple[str, str]]:
    """The picker's options: the lead fields a criterion can read, then a custom field."""
    return [(name, FIELD_LABELS.get(name, name)) for name in STANDARD_FIELDS] + [
        (CUSTOM_CHOICE, "Custom field…")
    ]


def _scalar(field: str, text: str) -> Any:
    text = text.strip()
    if field == "company_size" or field.startswith("custom."):
        for kind in (int, float):
            try:
                return kind(text)
            except ValueError:
                pass
    if field.startswith("custom.") and text.lower() in ("true", "false"):
        return text.lower() == "true"
    return text


def parse_value(field: str, operator: str, text: str) -> Any:
    """What a person typed into the value box, as the criterion's value."""
    if operator == "range":
        parts = [part.strip() for part in text.split(",")]
        if len(parts) != 2:
            return parts
        return [None if part == "" else _scalar(field, part) for part in parts]
    if operator == "equals":
        return _scalar(field, text)
    return [_scalar(field, part) for part in text.split(",") if part.strip()]


def format_value(value: Any) -> str:
    """A criterion's value as the value box shows it (the inverse of `parse_value`)."""

    def one(item: Any) -> str:
        if isinstance(item, bool):
            return "true" if item else "false"
        return "" if item is None else str(item)

    if isinstance(value, list | tuple):
        return ", ".join(one(item) for item in value)
    return one(value)


def criteria_initial(criteria: list[dict]) -> list[dict[str, Any]]:
    def picked(field: str) -> dict[str, str]:
        if field.startswith(CUSTOM_PREFIX):
            return {"field": CUSTOM_CHOICE, "custom_key": field.removeprefix(CUSTOM_PREFIX)}
        return {"field": field}

    return [
        {**picked(c["field"]), "operator": c["operator"], "value": format_value(c["value"]),
         "weight": c["weight"]}
        for c in criteria
    ]  # fmt: skip


NUMBER_FIELDS = ("fit_weight", "engagement_weight", "half_life_days", "saturation")


class ScoringSettingsForm(forms.Form):
    fit_weight = forms.FloatField(min_value=0, max_value=100, label="Fit weight")
    engagement_weight = forms.FloatField(min_value=0, max_value=100, label="Engagement weight")
    half_life_days = forms.FloatField(
        min_value=0.1, max_value=3650, label="Half-life (days)",
        help_text="After this many days an event counts half as much.",
    )  # fmt: skip
    saturation = forms.FloatField(
        min_value=1, max_value=10000, label="Saturation (points)",
        help_text="Engagement points that make an engagement score of 63.",
    )  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for kind, label in EventType.choices:
            self.fields[f"weight_{kind}"] = forms.FloatField(
                min_value=0, max_value=1000, label=label
            )

    @staticmethod
    def initial_from(settings: dict[str, Any]) -> dict[str, Any]:
        initial = {name: settings[name] for name in NUMBER_FIELDS}
        for kind in EventType.values:
            initial[f"weight_{kind}"] = settings["engagement_weights"].get(kind, 0)
        return initial

    def event_fields(self):
        return [self[f"weight_{kind}"] for kind in EventType.values]

    def data_for_service(self) -> dict[str, Any]:
        data = {name: self.cleaned_data[name] for name in NUMBER_FIELDS}
        data["engagement_weights"] = {
            kind: self.cleaned_data[f"weight_{kind}"] for kind in EventType.values
        }
        return data
