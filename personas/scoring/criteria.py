"""Persona criteria: the data types and validation of untrusted criterion input."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ._numeric import is_finite_number as _is_number

STANDARD_FIELDS = ("industry", "company_size", "country", "title", "company")
TEXT_FIELDS = frozenset({"industry", "country", "title", "company"})
NUMERIC_FIELDS = frozenset({"company_size"})
OPERATORS = ("equals", "in", "range", "contains_any", "not_in")
CUSTOM_PREFIX = "custom."


@dataclass(frozen=True)
class Criterion:
    """One weighted test of a lead field; ``validate_criterion`` guarantees weight in 1..100."""

    field: str
    operator: str
    value: Any
    weight: int


@dataclass(frozen=True)
class PersonaSpec:
    id: int
    version: int
    name: str
    criteria: tuple[Criterion, ...]


def validate_criterion(data: Mapping[str, Any]) -> Criterion:
    """Build a Criterion from untrusted input, raising ValueError with a message for the user.

    List values are stored as tuples so the Criterion stays hashable; unknown keys are ignored.
    """
    if not isinstance(data, Mapping):
        raise ValueError("A criterion must be an object with field, operator, value and weight.")
    missing = [key for key in ("field", "operator", "value", "weight") if key not in data]
    if missing:
        raise ValueError(f"The criterion is missing: {', '.join(missing)}.")
    fld, op, value, weight = data["field"], data["operator"], data["value"], data["weight"]
    custom_key = fld[len(CUSTOM_PREFIX) :] if isinstance(fld, str) else ""
    if not isinstance(fld, str) or not (
        fld in STANDARD_FIELDS or (fld.startswith(CUSTOM_PREFIX) and custom_key.strip())
    ):
        raise ValueError(
            f"Unknown field {fld!r}: use one of {', '.join(STANDARD_FIELDS)} or custom.<key>."
        )
    if not isinstance(op, str) or op not in OPERATORS:
        raise ValueError(f"Unknown operator {op!r}: use one of {', '.join(OPERATORS)}.")
    if isinstance(weight, bool) or not isinstance(weight, int) or not 1 <= weight <= 100:
        raise ValueError(f"The weight must be a whole number from 1 to 100, not {weight!r}.")
    return Criterion(fld, op, _validate_value(fld, op, value), weight)


def _validate_value(fld: str, op: str, value: Any) -> Any:
    if op == "range":
        if fld in TEXT_FIELDS:
            raise ValueError(f"'range' needs a numeric field such as company_size, not {fld!r}.")
        if not isinstance(value, list | tuple) or len(value) != 2:
            raise ValueError("'range' needs [low, high]; use null for an open bound.")
        lo, hi = value
        if any(b is not None and not _is_number(b) for b in value):
            raise ValueError(f"Range bounds must be numbers or null, not {value!r}.")
        if lo is None and hi is None:
            raise ValueError("'range' needs at least one bound.")
        if lo is not None and hi is not None and lo > hi:
            raise ValueError(f"The range's low bound {lo} is above its high bound {hi}.")
        return (lo, hi)
    if op == "contains_any":
        if fld in NUMERIC_FIELDS:
            raise ValueError(f"'contains_any' needs a text field, not {fld!r}.")
        if not isinstance(value, list | tuple) or not value:
            raise ValueError("'contains_any' needs a non-empty list of keywords.")
        if not all(isinstance(k, str) and k.strip() for k in value):
            raise ValueError(f"Every keyword must be non-blank text, not {value!r}.")
        return tuple(value)
    if op != "equals" and (not isinstance(value, list | tuple) or not value):
        raise ValueError(f"'{op}' needs a non-empty list of values.")
    for item in [value] if op == "equals" else value:
        if fld in NUMERIC_FIELDS:
            ok, kind = _is_number(item), "a number"
        elif fld == "country":
            ok = isinstance(item, str) and len(item) == 2 and item.isascii() and item.isalpha()
            kind = "a two-letter ISO country code"
        elif fld in TEXT_FIELDS:
            ok, kind = isinstance(item, str) and bool(item.strip()), "non-blank text"
        else:
            ok = (
                _is_number(item)
                or isinstance(item, bool)
                or (isinstance(item, str) and item.strip())
            )
            kind = "text, a number or true/false"
        if not ok:
            raise ValueError(f"'{op}' on {fld} needs {kind}, not {item!r}.")
    return value if op == "equals" else tuple(value)
