"""The audit log: every change to a tenant's configuration leaves one row.

The service that makes a change calls `audit_record` inside its own transaction, so the row
commits with the change or not at all. The core imports no app: apps call this function.
Secrets (API keys, webhook secrets, passwords, invitation tokens) never reach the log; a
changed secret is recorded as changed, with its values redacted.
"""

from __future__ import annotations

from typing import Any

from django.db import connection, models

from smarketing.tenancy.actors import Actor
from smarketing.tenancy.audit_models import AuditEntry

REDACTED = "[redacted]"
SECRET_WORDS = ("secret", "password", "token", "key_hash", "hashed_key", "raw_key", "nonce")


def is_secret(field: str) -> bool:
    name = field.lower()
    return name == "key" or any(word in name for word in SECRET_WORDS)


def _plain(value: Any) -> Any:
    """A JSON-safe copy: model instances by their label, dates as ISO text, secrets redacted."""
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, dict):
        return {str(k): REDACTED if is_secret(str(k)) else _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_plain(v) for v in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def changes_between(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """`{field: [before, after]}` for the fields whose value differs."""
    changed: dict[str, list[Any]] = {}
    for field in [*before, *(f for f in after if f not in before)]:
        old, new = _plain(before.get(field)), _plain(after.get(field))
        if old != new:
            changed[field] = [old, new]
    return changed


def snapshot(obj: models.Model, fields: list[str]) -> dict[str, Any]:
    return {field: getattr(obj, field) for field in fields}


def _target(target: Any) -> tuple[str, str, str]:
    if isinstance(target, models.Model):
        return target._meta.model_name, str(target.pk or ""), str(target)[:200]
    if isinstance(target, tuple):
        kind, ident, label = target
        return kind, str(ident), str(label)[:200]
    return str(target), "", ""


def audit_record(
    *,
    tenant: Any,
    actor: Actor,
    action: str,
    target: Any,
    changes: dict[str, Any] | None = None,
    ip: str | None = None,
) -> AuditEntry:
    """Write one audit row. Call it inside the service that makes the change.

    `target` is a model instance, a `(type, id, label)` tuple, or a type name. `changes` is
    `{field: [before, after]}` (see `changes_between`) or any JSON-able facts; secret-named
    fields are redacted wherever they appear. `ip` defaults to the actor's address.
    """
    if not connection.in_atomic_block:
        # A row written in its own transaction could outlive a change that rolled back.
        raise RuntimeError("audit_record runs inside the transaction of the change it records.")
    target_type, target_id, target_label = _target(target)
    tenant_id = tenant if isinstance(tenant, int) else tenant.pk
    return AuditEntry.objects.create(
        tenant_id=tenant_id,
        actor_id=actor.user_id,
        actor_label=(actor.label or actor.role)[:254],
        actor_role=actor.role[:20],
        action=action,
        target_type=target_type,
        target_id=target_id,
        target_label=target_label,
        changes=_plain(changes or {}),
        ip=ip if ip is not None else actor.ip,
    )
