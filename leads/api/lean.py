"""The lead list rendered from plain rows: the body `LeadSerializer` gives, at a third of
the cost.

A list page of 50 spent most of its CPU building 50 model instances (with their owner and
campaign) and letting DRF walk 25 fields of each, field object by field object. Here the
page is read as named rows of exactly the columns the answer shows (the owner's e-mail
joined in), and each row becomes its dict in one pass, each value converted the way the
serializer's field for it converts it. `LeadSerializer` stays the one description of the
body (the OpenAPI schema and every other endpoint use it); a test renders varied leads both
ways and compares (tests/leads/test_lean_list.py), so the two cannot drift apart unseen.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime, tzinfo
from functools import cache
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from rest_framework import serializers
from rest_framework.settings import api_settings

from leads.api.serializers import LeadSerializer
from leads.models import Lead

# The answer's fields in `LeadSerializer`'s order, with the column each is read from.
_SOURCES = {
    name: (field.source if field.source != "*" else name)
    for name, field in LeadSerializer().fields.items()
    if name != "owner"
}
# The columns read: the answer's, the owner's id and e-mail for its nested object.
COLUMNS = (*_SOURCES.values(), "owner_id", "owner__email")
_ISO_8601 = api_settings.DATETIME_FORMAT is not None and (
    api_settings.DATETIME_FORMAT.lower() == "iso-8601"
)


def lead_rows(queryset: QuerySet[Lead]) -> QuerySet:
    """`queryset` (filtered and ordered) as named rows of `COLUMNS`: the cursor pagination
    reads its ordering fields from them by name, as it would from instances."""
    return queryset.values_list(*COLUMNS, named=True)


def _datetime_of(zone: tzinfo) -> Callable[[datetime], str]:
    """DRF's `DateTimeField.to_representation` with the ISO 8601 format: the value in the
    current time zone, `Z` for UTC."""

    def render(value: datetime) -> str:
        text = value.astimezone(zone).isoformat()
        return text[:-6] + "Z" if text.endswith("+00:00") else text

    return render


@cache
def _converters(zone: tzinfo) -> list[tuple[str, int, Callable[[Any], Any] | None]]:
    """(answer name, column index, conversion) per field but the owner; None: the value is
    shown as read.

    Texts, choices and JSON are shown as read; integers pass `int` as DRF's IntegerField
    does; booleans `bool`; datetimes as above (or the field's own method under another
    format). A null is null whatever the field, as in DRF."""
    fields = LeadSerializer().fields
    datetime_text = _datetime_of(zone) if _ISO_8601 else None
    out = []
    for index, name in enumerate(_SOURCES):
        field = fields[name]
        convert: Callable[[Any], Any] | None
        if isinstance(field, serializers.DateTimeField):
            convert = datetime_text or field.to_representation
        elif isinstance(field, serializers.IntegerField):
            convert = int
        elif isinstance(field, serializers.BooleanField):
            convert = bool
        elif isinstance(field, serializers.ChoiceField | serializers.CharField) or (
            isinstance(field, serializers.JSONField) and not field.binary
        ):
            convert = None  # a text, a choice's value or a decoded document, as read
        else:
            convert = field.to_representation
        out.append((name, index, convert))
    return out


_OWNER_ID, _OWNER_EMAIL = len(_SOURCES), len(_SOURCES) + 1
# The nested owner comes right after the stage in the answer.
_BEFORE_OWNER = list(_SOURCES).index("stage") + 1


def lead_rows_render(rows: Iterable[Any]) -> list[dict[str, Any]]:
    """Each row (from `lead_rows`) as `LeadSerializer` renders the lead."""
    # Built once per time zone: the serializer's fields are deep copies made per instance.
    converters = _converters(timezone.get_current_timezone())
    before, after = converters[:_BEFORE_OWNER], converters[_BEFORE_OWNER:]
    body = []
    for row in rows:
        item: dict[str, Any] = {}
        for name, index, convert in before:
            value = row[index]
            item[name] = value if convert is None or value is None else convert(value)
        owner_id = row[_OWNER_ID]
        item["owner"] = None if owner_id is None else {"id": owner_id, "email": row[_OWNER_EMAIL]}
        for name, index, convert in after:
            value = row[index]
            item[name] = value if convert is None or value is None else convert(value)
        body.append(item)
    return body
