from decimal import Decimal

from django.utils import timezone

from leads.models import Lead, StageTransition
from smarketing.durability import require_durable_commit
from smarketing.tenancy.actors import Actor


def transition_record(
    *,
    lead: Lead,
    action: str,
    from_stage: str,
    to_stage: str,
    actor: Actor,
    reason_code: str = "",
    note: str = "",
    amount: Decimal | None = None,
    at=None,
    step_started_at=None,
) -> StageTransition:
    """`step_started_at`: when the lead entered the step this record ends (see the model)."""
    # A stage move is no derived data: it commits durably even inside a re-score's batch.
    require_durable_commit()
    return StageTransition.objects.create(
        tenant_id=lead.tenant_id,
        lead=lead,
        action=action,
        from_stage=from_stage,
        to_stage=to_stage,
        actor=actor.user,
        actor_label=actor.label,
        reason_code=reason_code or "",
        note=note or "",
        amount=amount,
        at=at or timezone.now(),
        step_started_at=step_started_at,
    )
