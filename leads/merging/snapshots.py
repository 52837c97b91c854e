"""Every stored value of a lead as JSON, and back: what a merge keeps to be undone."""

from __future__ import annotations

from typing import Any

from leads.models import Lead

# Identity and bookkeeping stay as they are; every other column is kept and restored.
NOT_SNAPSHOT = frozenset({"id", "tenant", "created_at"})


def _fields():
    return [f for f in Lead._meta.concrete_fields if f.name not in NOT_SNAPSHOT]


def lead_snapshot(lead: Lead) -> dict[str, Any]:
    values = {}
    for field in _fields():
        value = field.value_from_object(lead)
        values[field.attname] = None if value is None else field.value_to_string(lead)
    return values


def lead_restore(lead: Lead, snapshot: dict[str, Any]) -> list[str]:
    """Set the snapshot's values on `lead` (unsaved); return the field names to save."""
    names = []
    for field in _fields():
        if field.attname not in snapshot:
            continue
        raw = snapshot[field.attname]
        value = None if raw is None else field.to_python(raw)
        setattr(lead, field.attname, value)
        names.append(field.name)
    return names
