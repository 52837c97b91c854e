"""Cleaning of persona content from every door (API and pages): the one place that says
what a valid persona looks like. Criteria are checked by `personas.scoring`, the code that
will evaluate them."""

from __future__ import annotations

from typing import Any

from personas.scoring import Criterion, validate_criterion

LIST_FIELDS = ("pains", "goals", "objections", "preferred_channels", "typical_titles")
CONTENT_FIELDS = ("name", "summary", *LIST_FIELDS, "criteria")
MAX_NAME = 200
MAX_SUMMARY = 5000
MAX_LIST_ITEMS = 30
MAX_ITEM_LENGTH = 300
MAX_CRITERIA = 30


def criterion_json(criterion: Criterion) -> dict[str, Any]:
    """A criterion as stored and shown: tuples become lists again."""
    value = criterion.value
    return {
        "field": criterion.field,
        "operator": criterion.operator,
        "value": list(value) if isinstance(value, tuple) else value,
        "weight": criterion.weight,
    }


def clean_criteria(value: Any) -> tuple[list[dict[str, Any]], dict[str, list[str]]]:
    if not isinstance(value, list):
        return [], {"criteria": ["Send a list of criteria."]}
    if len(value) > MAX_CRITERIA:
        return [], {"criteria": [f"At most {MAX_CRITERIA} criteria."]}
    cleaned, errors = [], {}
    for index, raw in enumerate(value):
        try:
            cleaned.append(criterion_json(validate_criterion(raw)))
        except ValueError as exc:
            errors[f"criteria[{index}]"] = [str(exc)]
    return cleaned, errors


def _clean_list(name: str, value: Any) -> tuple[list[str], list[str]]:
    if not isinstance(value, list):
        return [], ["Send a list of texts."]
    if len(value) > MAX_LIST_ITEMS:
        return [], [f"At most {MAX_LIST_ITEMS} entries."]
    items = []
    for item in value:
        if not isinstance(item, str):
            return [], [f"Every entry must be text, not {item!r}."]
        item = item.strip()
        if len(item) > MAX_ITEM_LENGTH:
            return [], [f"Entries are at most {MAX_ITEM_LENGTH} characters."]
        if item:
            items.append(item)
    return items, []


def clean_persona(data: Any, *, partial: bool = False) -> tuple[dict[str, Any], dict[str, list]]:
    """Return (fields given, {}) or ({}, {field: [messages]}).

    Unknown fields are errors, never silently dropped: a client that sends `status` should
    learn that approval is a separate step.
    """
    if not isinstance(data, dict):
        return {}, {"non_field_errors": ["Send a JSON object."]}
    errors: dict[str, list[str]] = {}
    fields: dict[str, Any] = {}
    for name in data:
        if name not in CONTENT_FIELDS:
            errors[name] = ["Unknown or read-only field."]
    if "name" in data or not partial:
        name = data.get("name")
        if not isinstance(name, str) or not name.strip():
            errors["name"] = ["A persona needs a name."]
        elif len(name.strip()) > MAX_NAME:
            errors["name"] = [f"At most {MAX_NAME} characters."]
        else:
            fields["name"] = name.strip()
    if "summary" in data:
        summary = data["summary"]
        if summary is None:
            summary = ""
        if not isinstance(summary, str):
            errors["summary"] = ["Must be text."]
        elif len(summary) > MAX_SUMMARY:
            errors["summary"] = [f"At most {MAX_SUMMARY} characters."]
        else:
            fields["summary"] = summary.strip()
    for name in LIST_FIELDS:
        if name in data:
            items, problems = _clean_list(name, data[name] if data[name] is not None else [])
            if problems:
                errors[name] = problems
            else:
                fields[name] = items
    if "criteria" in data:
        criteria, problems = clean_criteria(data["criteria"])
        errors.update(problems)
        if not problems:
            fields["criteria"] = criteria
    return ({}, errors) if errors else (fields, {})
