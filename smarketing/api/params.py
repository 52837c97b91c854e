"""Query parameters read exactly as the OpenAPI document declares them.

A parameter the schema calls an integer between bounds is that, or the request is a 400: a
value that is not a whole number, out of bounds, or given twice is refused rather than
ignored or guessed at. The same bounds are written into the schema from here, so the
document and the validation cannot drift apart.
"""

from __future__ import annotations

from typing import Any

from rest_framework.exceptions import ValidationError

# Ids are PostgreSQL bigints: a larger number names no row, and would not fit the query.
MAX_ID = 2**63 - 1


def integer_schema(*, minimum: int, maximum: int) -> dict[str, Any]:
    return {"type": "integer", "minimum": minimum, "maximum": maximum}


def query_int(params, name: str, *, minimum: int, maximum: int) -> int | None:
    """The integer `name` of the query string, or None when absent; a 400 when malformed."""
    values = params.getlist(name) if hasattr(params, "getlist") else [params.get(name)]
    values = [value for value in values if value is not None]
    if not values:
        return None
    if len(values) > 1:
        raise ValidationError({name: ["Give this parameter once."]})
    raw = values[0].strip()
    if not (raw.isascii() and raw.lstrip("-").isdigit() and len(raw) < 21):
        raise ValidationError({name: ["A whole number."]})
    value = int(raw)
    if not minimum <= value <= maximum:
        raise ValidationError({name: [f"From {minimum} to {maximum}."]})
    return value
