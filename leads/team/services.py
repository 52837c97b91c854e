"""Writes of the members page and endpoint, and of the tenant's rejection reasons."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Max

from leads.errors import InvalidLeadData, LeadDataConflict, NotAllowed
from leads.models import RejectionReason, StageTransition
from leads.routing.services import rep_capacity_set
from smarketing.errors import Conflict, raise_field_errors
from smarketing.tenancy.actors import Actor
from smarketing.tenancy.audit import audit_record, changes_between, snapshot
from smarketing.tenancy.members.services import member_update
from smarketing.tenancy.models import Membership
from smarketing.tenancy.roles import has_capability

REASON_FIELDS = ["code", "label", "is_active", "position"]


@transaction.atomic
def team_member_update(*, membership: Membership, actor: Actor, data: dict[str, Any]) -> Membership:
    """`role`, `is_active` and `away` go to the core's member service; `capacity` to routing.

    One transaction: a refused field leaves the others unchanged too.
    """
    core = {name: data[name] for name in ("role", "is_active") if name in data}
    if "away" in data:
        core["is_away"] = data["away"]
    if core:
        membership = member_update(membership=membership, actor=actor, data=core)
    if "capacity" in data:
        rep_capacity_set(
            tenant=membership.tenant, actor=actor, user=membership.user, capacity=data["capacity"]
        )
    return membership


class ReasonInUse(Conflict):
    code = "reason_in_use"
    title = "The reason is in use"


def _require_admin(actor: Actor) -> None:
    if not has_capability(actor.role, "tenant.admin"):
        raise NotAllowed("Only admins change the rejection reasons.")


def _clean_reason(data: dict[str, Any], reason: RejectionReason | None) -> dict[str, Any]:
    values: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    conflicts: dict[str, list[str]] = {}
    if "code" in data or reason is None:
        code = str(data.get("code") or "").strip().lower()
        if not code or len(code) > 50 or not code.replace("_", "").replace("-", "").isalnum():
            errors["code"] = ["Letters, digits, - and _, at most 50 (e.g. no_budget)."]
        elif reason is not None and code != reason.code:
            errors["code"] = ["A reason's code never changes: sales' past answers use it."]
        elif (
            RejectionReason.objects.filter(code=code)
            .exclude(pk=getattr(reason, "pk", None))
            .exists()
        ):
            conflicts["code"] = [f"There is a reason {code} already."]
        values["code"] = code
    if "label" in data or reason is None:
        label = str(data.get("label") or "").strip()
        if not label or len(label) > 100:
            errors["label"] = ["A label of 1 to 100 characters."]
        values["label"] = label
    for name in ("active", "is_active"):
        if name in data:
            if not isinstance(data[name], bool):
                errors["active"] = ["true or false."]
            values["is_active"] = bool(data[name])
    if "position" in data:
        position = data["position"]
        if not isinstance(position, int) or isinstance(position, bool) or not 0 <= position <= 1000:
            errors["position"] = ["A whole number from 0 to 1000."]
        values["position"] = position
    raise_field_errors(errors, conflicts, invalid_kind=InvalidLeadData,
                       conflict_kind=LeadDataConflict)  # fmt: skip
    return values


@transaction.atomic
def rejection_reason_create(*, tenant, actor: Actor, data: dict[str, Any]) -> RejectionReason:
    _require_admin(actor)
    values = _clean_reason(data, None)
    if "position" not in values:
        values["position"] = (RejectionReason.objects.aggregate(n=Max("position"))["n"] or 0) + 1
    reason = RejectionReason.objects.create(tenant=tenant, **values)
    audit_record(
        tenant=tenant,
        actor=actor,
        action="rejection_reason.created",
        target=reason,
        changes=changes_between({}, snapshot(reason, REASON_FIELDS)),
    )
    return reason


@transaction.atomic
def rejection_reason_update(
    *, reason: RejectionReason, actor: Actor, data: dict[str, Any]
) -> RejectionReason:
    """Rename, reorder, deactivate or reactivate (the code stays)."""
    _require_admin(actor)
    values = _clean_reason(data, reason)
    reason = RejectionReason.objects.select_for_update().get(pk=reason.pk)
    before = snapshot(reason, REASON_FIELDS)
    for name, value in values.items():
        setattr(reason, name, value)
    changes = changes_between(before, snapshot(reason, REASON_FIELDS))
    if changes:
        reason.save(update_fields=list(changes))
        audit_record(
            tenant=reason.tenant_id,
            actor=actor,
            action="rejection_reason.changed",
            target=reason,
            changes=changes,
        )
    return reason


@transaction.atomic
def rejection_reasons_update_by_code(*, actor: Actor, items: list[Any]) -> None:
    """Change several reasons named by `code` at once (e.g. a new order): all or none."""
    _require_admin(actor)
    if not isinstance(items, list) or not items:
        raise InvalidLeadData({"non_field_errors": ["Send a reason, or a list of reasons."]})
    for index, item in enumerate(items):
        code = item.get("code") if isinstance(item, dict) else None
        if not code:
            raise InvalidLeadData({f"[{index}].code": ["Name the reason by its code."]})
        reason = RejectionReason.objects.filter(code=code).first()
        if reason is None:
            raise LeadDataConflict({f"[{index}].code": [f"No reason with the code {code!r}."]})
        rejection_reason_update(reason=reason, actor=actor, data=item)


def rejection_reason_in_use(reason: RejectionReason) -> bool:
    return StageTransition.objects.filter(reason_code=reason.code).exists()


@transaction.atomic
def rejection_reason_delete(*, reason: RejectionReason, actor: Actor) -> None:
    """Only a reason nobody used goes; a used one is deactivated instead (409 says so)."""
    _require_admin(actor)
    if rejection_reason_in_use(reason):
        raise ReasonInUse(
            f"The reason {reason.code} was used on leads; deactivate it instead of deleting it."
        )
    audit_record(
        tenant=reason.tenant_id,
        actor=actor,
        action="rejection_reason.deleted",
        target=reason,
        changes={"code": reason.code, "label": reason.label},
    )
    reason.delete()
