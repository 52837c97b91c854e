"""Joint approval: a version scores leads once marketing and sales both approved it."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from personas.errors import (
    AlreadyApproved,
    ApprovalRefused,
    InvalidPersonaData,
    NotApprovable,
    StaleVersion,
)
from personas.models import ApprovalSide, BuyerPersona, PersonaApproval, PersonaStatus
from personas.services.authoring import latest_version, lock_persona
from personas.services.rescore import rescore_job_queue
from smarketing.errors import DomainError
from smarketing.tenancy.actors import Actor
from smarketing.tenancy.roles import LEADERSHIP_ROLES, is_marketing_side, is_sales_side


class SideRequired(DomainError):
    code = "side_required"
    title = "Say which side you approve for"


def approval_side_for(*, role: str, requested: str | None, missing: set[str]) -> str:
    """The side an approval counts for: marketers approve for marketing, sales reps for
    sales; managers and admins choose (or get the one side still missing)."""
    if requested is not None and requested not in ApprovalSide.values:
        raise InvalidPersonaData({"side": [f"Use one of: {', '.join(ApprovalSide.values)}."]})
    own = (
        ApprovalSide.MARKETING
        if is_marketing_side(role)
        else ApprovalSide.SALES
        if is_sales_side(role)
        else None
    )
    if own is not None:
        if requested not in (None, own):
            raise ApprovalRefused(f"Your role ({role}) approves for {own.label.lower()} only.")
        return own
    if role not in LEADERSHIP_ROLES:
        raise ApprovalRefused(f"Your role ({role}) may not approve personas.")
    if requested is not None:
        return requested
    if len(missing) == 1:
        return next(iter(missing))
    raise SideRequired("Managers and admins choose the side they approve for: marketing or sales.")


@transaction.atomic
def persona_approve(
    *,
    persona: BuyerPersona,
    actor: Actor,
    side: str | None = None,
    version_number: int | None = None,
):
    """Approve the persona's current version for one side; returns the version.

    With both sides approved (by two different people) the version becomes `approved`,
    the previously approved version is archived, and the tenant's leads are re-scored in
    the background. `version_number`, when given, must still be the current version: nobody
    approves content they have not seen.
    """
    if actor.user is None:
        raise ApprovalRefused("Approvals are given by people, not by integrations.")
    lock_persona(persona)
    current = latest_version(persona)
    if version_number is not None and version_number != current.number:
        raise StaleVersion(
            f"Version {version_number} is no longer current: version {current.number} is. "
            "Review it and approve again."
        )
    if current.status != PersonaStatus.DRAFT:
        raise NotApprovable(f"Version {current.number} is {current.status} already.")
    if not current.criteria:
        raise NotApprovable("A persona needs at least one criterion before it can be approved.")
    approvals = list(current.approvals.select_related("user"))
    taken = {approval.side: approval for approval in approvals}
    chosen = approval_side_for(
        role=actor.role, requested=side, missing=set(ApprovalSide.values) - set(taken)
    )
    if chosen in taken:
        who = taken[chosen].user.email if taken[chosen].user else "someone"
        raise AlreadyApproved(f"{who} approved version {current.number} for {chosen} already.")
    if any(approval.user_id == actor.user_id for approval in approvals):
        raise ApprovalRefused("You approved the other side: this side needs someone else.")
    PersonaApproval.objects.create(
        tenant_id=persona.tenant_id, version=current, side=chosen, user=actor.user, role=actor.role
    )
    if len(taken) + 1 < len(ApprovalSide.values):
        return current
    now = timezone.now()
    # The old approved version steps down first: one approved version per persona is a
    # constraint checked statement by statement.
    type(current).objects.filter(persona=persona, status=PersonaStatus.APPROVED).update(
        status=PersonaStatus.ARCHIVED
    )
    current.status, current.approved_at = PersonaStatus.APPROVED, now
    current.save(update_fields=["status", "approved_at"])
    BuyerPersona.objects.filter(pk=persona.pk).update(updated_at=now)
    rescore_job_queue(
        tenant_id=persona.tenant_id,
        reason=f"{current.name} v{current.number} approved",
        actor=actor,
    )
    return current
