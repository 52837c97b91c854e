"""Cleaning of lead data from every door: the API (single and bulk), CSV imports, pages.

Plain Python on purpose: a bulk upsert cleans a thousand items per request, and this is the
one place that says what a valid lead looks like.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from leads.countries import is_country_code

TEXT_FIELDS: dict[str, int] = {
    "first_name": 100,
    "last_name": 100,
    "company": 200,
    "title": 200,
    "phone": 50,
    "industry": 100,
}
WRITABLE_FIELDS = frozenset(
    {"email", *TEXT_FIELDS, "company_size", "country", "campaign", "custom_fields"}
)
READ_ONLY_FIELDS = frozenset(
    {
        "id", "tenant", "stage", "owner", "persona", "score", "fit_score", "engagement_score",
        "score_breakdown", "is_cold", "last_activity_at", "stage_changed_at", "created_at",
        "updated_at", "accepted_at",
    }
)  # fmt: skip
MAX_EMAIL_LENGTH = 254
MAX_CUSTOM_FIELDS = 50
MAX_CUSTOM_NAME = 64
MAX_CUSTOM_VALUE = 1000
# Deliberately simple: one @, a dot in the domain, no spaces. Real validation is delivery.
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass
class CleanLead:
    email: str
    fields: dict[str, Any] = field(default_factory=dict)  # only the fields that were given

    def merged_with(self, other: CleanLead) -> CleanLead:
        """Combine two items for the same e-mail: later non-empty values win."""
        fields = dict(self.fields)
        for name, value in other.fields.items():
            if name == "custom_fields":
                fields["custom_fields"] = {**fields.get("custom_fields", {}), **value}
            elif not is_empty(value):
                fields[name] = value
        return CleanLead(email=self.email, fields=fields)


def is_empty(value: Any) -> bool:
    return value is None or value == "" or value == {}


def normalize_email(value: Any) -> str:
    return str(value).strip().lower()


def clean_lead(
    data: Any, *, partial: bool = False
) -> tuple[CleanLead | None, dict[str, list[str]]]:
    """Return (clean lead, {}) or (None, {field: [messages]}).

    With `partial`, the e-mail may be absent (a PATCH). Unknown and read-only fields are
    errors, never silently dropped: a client that sends `stage` should learn it can't.
    """
    if not isinstance(data, dict):
        return None, {"non_field_errors": ["Each lead must be a JSON object."]}
    errors: dict[str, list[str]] = {}
    fields: dict[str, Any] = {}
    for name in data:
        if name in READ_ONLY_FIELDS:
            errors[name] = ["This field is read-only."]
        elif name not in WRITABLE_FIELDS:
            errors[name] = ["Unknown field."]

    email = data.get("email")
    if email is None or (isinstance(email, str) and not email.strip()):
        # A PATCH may leave the address out, not blank it.
        if not partial or email is not None:
            errors["email"] = ["An e-mail address is required."]
        email = ""
    elif not isinstance(email, str):
        errors["email"] = ["Must be a string."]
        email = ""
    else:
        email = normalize_email(email)
        if len(email) > MAX_EMAIL_LENGTH:
            errors["email"] = [f"At most {MAX_EMAIL_LENGTH} characters."]
        elif not _EMAIL.match(email):
            errors["email"] = [f"{email!r} is not a valid e-mail address."]

    for name, limit in TEXT_FIELDS.items():
        if name not in data or data[name] is None:
            continue
        value = data[name]
        if isinstance(value, int | float) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str):
            errors[name] = ["Must be a string."]
            continue
        value = " ".join(value.split())
        if len(value) > limit:
            errors[name] = [f"At most {limit} characters."]
        else:
            fields[name] = value

    if data.get("company_size") not in (None, ""):
        size = _to_int(data["company_size"])
        if size is None or size < 0 or size > 10_000_000:
            errors["company_size"] = ["Must be a whole number of employees (0 or more)."]
        else:
            fields["company_size"] = size

    if data.get("country") not in (None, ""):
        country = data["country"]
        if not isinstance(country, str) or not is_country_code(country.strip().upper()):
            errors["country"] = [f"{country!r} is not an ISO 3166 alpha-2 country code, e.g. IT."]
        else:
            fields["country"] = country.strip().upper()

    if "campaign" in data:
        campaign = data["campaign"]
        if campaign in (None, ""):
            fields["campaign"] = None
        else:
            campaign_id = _to_int(campaign)
            if campaign_id is None or campaign_id <= 0:
                errors["campaign"] = ["Must be a campaign id or null."]
            else:
                fields["campaign"] = campaign_id

    if data.get("custom_fields") not in (None, {}):
        custom = data["custom_fields"]
        problem = _custom_fields_problem(custom)
        if problem:
            errors["custom_fields"] = [problem]
        else:
            fields["custom_fields"] = custom

    if errors:
        return None, errors
    return CleanLead(email=email, fields=fields), {}


def _to_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        text = value.strip().replace(",", "").replace("_", "")
        if text.isascii() and text.isdigit():  # "³" is a digit to str, not to int()
            return int(text)
    return None


def _custom_fields_problem(custom: Any) -> str | None:
    if not isinstance(custom, dict):
        return "Must be an object of names to values."
    if len(custom) > MAX_CUSTOM_FIELDS:
        return f"At most {MAX_CUSTOM_FIELDS} custom fields."
    for key, value in custom.items():
        if not isinstance(key, str) or not key or len(key) > MAX_CUSTOM_NAME:
            return "Names must be non-empty strings of at most 64 characters."
        if not (value is None or isinstance(value, str | int | float | bool)):
            return f"{key!r}: values must be strings, numbers, booleans or null."
        if isinstance(value, str) and len(value) > MAX_CUSTOM_VALUE:
            return f"{key!r}: at most {MAX_CUSTOM_VALUE} characters."
    return None
