"""From a CSV header to lead fields: the names people and other tools give the columns.

Unknown columns are kept as custom fields; columns Smarketing computes itself (stage, score,
owner…) are ignored, so a file exported from here can be imported again.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from leads.input import MAX_CUSTOM_FIELDS, READ_ONLY_FIELDS

IGNORED = "ignored"
CUSTOM_PREFIX = "custom:"
CUSTOM_FIELDS_COLUMN = "custom_fields"
MAX_CUSTOM_NAME = 64

_ALIASES: dict[str, tuple[str, ...]] = {
    "email": ("email", "e mail", "email address", "e mail address", "mail", "work email",
              "business email", "email id"),
    "first_name": ("first name", "firstname", "given name", "forename", "first"),
    "last_name": ("last name", "lastname", "surname", "family name", "last"),
    "company": ("company", "company name", "organisation", "organization", "organisation name",
                "organization name", "account", "account name", "employer"),
    "title": ("job title", "title", "position", "job position", "jobtitle", "role", "job role"),
    "phone": ("phone", "telephone", "mobile", "phone number", "telephone number",
              "mobile phone", "mobile number", "cell", "tel"),
    "industry": ("industry", "sector"),
    "company_size": ("company size", "employees", "headcount", "number of employees",
                     "employee count", "no of employees"),
    "country": ("country", "country code", "country iso"),
    # Only an id: a column of campaign names stays a custom field instead of failing rows.
    "campaign": ("campaign id",),
    CUSTOM_FIELDS_COLUMN: ("custom fields",),
}  # fmt: skip
_FIELD_BY_ALIAS = {alias: name for name, aliases in _ALIASES.items() for alias in aliases}
# "campaign_name" comes only from a person's mapping; the import resolves it to an id.
_FIELD_NAMES = frozenset(_ALIASES) - {CUSTOM_FIELDS_COLUMN} | {"campaign_name"}
_COMPUTED = {name.replace("_", " ") for name in READ_ONLY_FIELDS} | {
    "owner email", "persona id", "engagement raw", "cold since", "erased at",
}  # fmt: skip
_SEPARATORS = re.compile(r"[\s_\-./]+")


class HeaderError(ValueError):
    """The header cannot be imported; the message is for the person who uploaded the file."""


def normalize_header(name: str) -> str:
    return _SEPARATORS.sub(" ", name.replace("\ufeff", "").strip().lower()).strip()


@dataclass
class ColumnMap:
    """Where each column of a file goes, by position."""

    header: list[str]
    targets: list[str]  # per column: a lead field, "custom:<name>" or "ignored"
    labels: dict[str, str] = field(default_factory=dict)  # lead field -> header, for messages

    @classmethod
    def from_header(cls, header: list[str]) -> ColumnMap:
        targets: list[str] = []
        labels: dict[str, str] = {}
        custom_names: set[str] = set()
        for raw in header:
            name = raw.replace("\ufeff", "").strip()
            key = normalize_header(name)
            target = _FIELD_BY_ALIAS.get(key)
            if target is not None and target not in labels:
                labels[target] = name
            elif not key or key in _COMPUTED:
                target = IGNORED
            else:
                # A second "E-mail" column, or a name nobody maps: keep the data as it is.
                custom = name[:MAX_CUSTOM_NAME]
                target = IGNORED if custom in custom_names else CUSTOM_PREFIX + custom
                custom_names.add(custom)
            targets.append(target)
        column_map = cls(header=list(header), targets=targets, labels=labels)
        column_map.check()
        return column_map

    def check(self) -> None:
        if "email" not in self.labels:
            seen = ", ".join(f'"{h.strip()}"' for h in self.header[:8] if h.strip()) or "none"
            raise HeaderError(
                "The file has no e-mail column, so no lead can be matched or created. "
                'Name one column "Email" (the first row must hold the column names; '
                f"found: {seen})."
            )
        custom = sum(1 for t in self.targets if t.startswith(CUSTOM_PREFIX))
        if custom > MAX_CUSTOM_FIELDS:
            raise HeaderError(
                f"The file has {custom} columns that are not lead fields; at most "
                f"{MAX_CUSTOM_FIELDS} can be kept as custom fields. Remove the columns you "
                "do not need and upload it again."
            )

    def as_dict(self) -> dict[str, str]:
        return dict(zip(self.header, self.targets, strict=True))

    def __post_init__(self) -> None:
        # Positions by kind, worked out once: a file has up to a few hundred thousand rows.
        self._fields = [(i, t) for i, t in enumerate(self.targets) if t in _FIELD_NAMES]
        self._custom = [
            (i, t[len(CUSTOM_PREFIX) :])
            for i, t in enumerate(self.targets)
            if t.startswith(CUSTOM_PREFIX)
        ]
        self._json = [i for i, t in enumerate(self.targets) if t == CUSTOM_FIELDS_COLUMN]

    def lead_data(self, row: list[str]) -> dict[str, Any]:
        """The row as a lead for `clean_lead`. Empty cells are left out: they never blank."""
        width = len(row)
        data: dict[str, Any] = {}
        for index, name in self._fields:
            if index < width and (value := row[index].strip()):
                data[name] = value
        custom: dict[str, Any] = {}
        for index in self._json:
            if index < width and (value := row[index].strip()):
                custom.update(_json_object(value))
        for index, name in self._custom:
            if index < width and (value := row[index].strip()):
                custom[name] = value
        if custom:
            data["custom_fields"] = custom
        return data


def _json_object(value: str) -> dict[str, Any]:
    """The custom_fields column of an export is a JSON object; other text is kept as is."""
    try:
        parsed = json.loads(value)
    except ValueError:
        return {"custom_fields": value}
    return parsed if isinstance(parsed, dict) else {"custom_fields": value}
