"""Stage moves, accepting and assigning: conditional updates, so races lose cleanly.

Every move writes its immutable transition and publishes `lead.stage_changed` in the same
transaction; other apps (the SLA's obligations, routing, scoring) react to that event.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from leads import lifecycle
from leads.errors import (
    AlreadyAccepted,
    IllegalTransition,
    InvalidLeadData,
    LeadDataConflict,
    NotAllowed,
    StaleStage,
)
from leads.funnel.definitions import is_sales_rejection
from leads.models import (
    FINAL_STAGES,
    Lead,
    RejectionReason,
    Stage,
    StageTransition,
    TransitionAction,
)
from leads.payloads import lead_payload, owner_payload
from leads.rejections import rejection_recipients
from leads.services.history import transition_record
from smarketing.durability import require_durable_commit
from smarketing.errors import DomainError
from smarketing.events import publish, publish_many
from smarketing.tenancy.actors import Actor
from smarketing.tenancy.audit import audit_record
from smarketing.tenancy.roles import LEADERSHIP_ROLES, SALES_ROLES
from smarketing.tenancy.selectors import members_of

# Moving into these stages starts the lead afresh with marketing: no owner, no acceptance.
_CLEARS_OWNER = frozenset({Stage.SQL, Stage.RECYCLED, Stage.MQL, Stage.LEAD})


def _refresh_and_explain(lead: Lead, expected_stage: str) -> None:
    current = Lead.objects.get(pk=lead.pk)
    if current.stage != expected_stage:
        raise StaleStage(
            f"The lead moved from {expected_stage} to {current.stage} meanwhile; "
            "reload it and try again."
        )
    if current.accepted_at is not None:
        _raise_already_accepted(current)
    raise StaleStage("The lead changed meanwhile; reload it and try again.")


def _raise_already_accepted(lead: Lead) -> None:
    who = lead.owner.email if lead.owner else "another rep"
    raise AlreadyAccepted(
        f"{who} accepted this lead already.",
        extra={"accepted_by": owner_payload(lead.owner), "accepted_at": lead.accepted_at},
    )


def _validate_needs(move: lifecycle.Move, *, reason_code: str | None, amount) -> None:
    if move.needs_reason and not reason_code:
        raise InvalidLeadData({"reason_code": [f"Moving to {move.target} needs a reason code."]})
    if (
        move.is_rejection
        and not RejectionReason.objects.filter(code=reason_code, is_active=True).exists()
    ):
        codes = ", ".join(
            RejectionReason.objects.filter(is_active=True).values_list("code", flat=True)
        )
        raise LeadDataConflict({"reason_code": [f"Unknown rejection reason; use one of: {codes}."]})
    if move.needs_amount and amount is None:
        raise InvalidLeadData({"amount": ["A won deal needs its amount."]})
    # Amounts are summed into won revenue and pipeline: a negative one would cancel others.
    if amount is not None and Decimal(amount) < 0:
        raise InvalidLeadData({"amount": ["The amount cannot be negative."]})


def _allowed_move(
    lead: Lead, *, to: str, actor: Actor, reason_code: str | None, amount: Decimal | None
) -> lifecycle.Move:
    """The move from the stage the caller saw to `to`, if the lifecycle allows it to
    `actor` with what it brings; otherwise the domain error that says why not."""
    if to not in Stage.values:
        raise InvalidLeadData(
            {"to": [f"Unknown stage {to!r}; use one of {', '.join(Stage.values)}."]}
        )
    move = lifecycle.find_move(lead.stage, to)
    if move is None:
        raise IllegalTransition(f"A lead cannot move from {lead.stage} to {to}.")
    # The one condition a move has is acceptance: only a lead not accepted yet can miss it.
    if not lifecycle.condition_holds(move, accepted=lead.is_accepted):
        raise IllegalTransition(f"This SQL is not accepted yet, so it cannot move to {to}.")
    if not actor.is_system and not lifecycle.may_move(
        move, role=actor.role, actor_id=actor.user_id, owner_id=lead.owner_id
    ):
        raise NotAllowed(f"Your role ({actor.role}) may not move a lead from {lead.stage} to {to}.")
    _validate_needs(move, reason_code=reason_code, amount=amount)
    return move


def _step_started_at(lead: Lead):
    return lead.accepted_at if lead.is_accepted else lead.stage_changed_at


def _changes(to: str, now) -> dict:
    changes = {"stage": to, "stage_changed_at": now, "updated_at": now}
    if to in _CLEARS_OWNER:
        changes.update(owner=None, accepted_at=None)
    return changes


def _guard(stage: str, accepted: bool) -> Q:
    """The row is still as the caller saw it: of racing moves, one wins."""
    return Q(stage=stage, accepted_at__isnull=not accepted)


def _stage_changed(lead: Lead, *, from_stage: str, actor: Actor, at, reason_code=None) -> dict:
    """The payload of `lead.stage_changed`, of a lead already moved."""
    return {**lead_payload(lead), "from": from_stage, "to": lead.stage,
            "reason_code": reason_code or "", "actor": actor.label, "at": at}  # fmt: skip


@transaction.atomic
def lead_transition(
    *,
    lead: Lead,
    to: str,
    actor: Actor,
    reason_code: str | None = None,
    note: str = "",
    amount: Decimal | None = None,
) -> Lead:
    """Move `lead` from the stage the caller saw to `to`, if the lifecycle allows it."""
    reason_code = reason_code or ""  # no reason is an empty one, in the record and the events
    move = _allowed_move(lead, to=to, actor=actor, reason_code=reason_code, amount=amount)
    now = timezone.now()
    # The step the lead leaves: an accepted SQL has been in sales' hands since acceptance.
    step_started_at = _step_started_at(lead)
    changes = _changes(to, now)
    if not Lead.objects.filter(_guard(lead.stage, lead.is_accepted), pk=lead.pk).update(**changes):
        _refresh_and_explain(lead, lead.stage)

    from_stage = lead.stage
    for name, value in changes.items():
        setattr(lead, name, value)
    action = TransitionAction.REJECT if move.is_rejection else TransitionAction.MOVE
    transition_record(
        lead=lead, action=action, from_stage=from_stage, to_stage=to, actor=actor,
        reason_code=reason_code, note=note, amount=amount, at=now,
        step_started_at=step_started_at,
    )  # fmt: skip
    publish(
        "lead.stage_changed",
        tenant=lead.tenant_id,
        data=_stage_changed(lead, from_stage=from_stage, actor=actor, at=now,
                            reason_code=reason_code),
        lead=lead, actor=actor,
    )  # fmt: skip
    if is_sales_rejection(action=action, reason_code=reason_code):
        _announce_rejection(lead, actor=actor, reason_code=reason_code, note=note, at=now)
    return lead


@transaction.atomic
def leads_transition(*, leads: Sequence[Lead], to: str, actor: Actor, note: str = "") -> list[Lead]:
    """Move each of `leads` from the stage the caller saw to `to` by the rules of
    `lead_transition`, as one batch: one guarded update per stage they leave, one insert of
    their history, and their `lead.stage_changed` events published together, so each
    handler runs once for the batch. Returns the leads moved (updated in place).

    For the system's batches (a re-score moving leads across the SLA's thresholds): a lead
    the rules refuse, or that someone moved meanwhile, is skipped, as such a move alone would
    fail without anyone to tell. Moves that need a reason or an amount are refused.
    """
    groups: dict[tuple[str, bool], list[Lead]] = defaultdict(list)
    for lead in leads:
        try:
            _allowed_move(lead, to=to, actor=actor, reason_code=None, amount=None)
        except DomainError:
            continue
        groups[(lead.stage, lead.is_accepted)].append(lead)
    if not groups:
        return []
    now = timezone.now()
    changes = _changes(to, now)
    moved: list[tuple[Lead, str, object]] = []
    for (stage, accepted), group in groups.items():
        still = Lead.objects.filter(_guard(stage, accepted), pk__in=[lead.pk for lead in group])
        if connection.features.has_select_for_update:
            still = still.select_for_update()
        # SQLite: the transaction holds the database's write lock, no one moves them now.
        ids = set(still.values_list("pk", flat=True))
        Lead.objects.filter(pk__in=ids).update(**changes)
        for lead in group:
            if lead.pk in ids:
                moved.append((lead, stage, _step_started_at(lead)))
    if not moved:
        return []
    require_durable_commit()
    StageTransition.objects.bulk_create(
        StageTransition(
            tenant_id=lead.tenant_id, lead_id=lead.pk, action=TransitionAction.MOVE,
            from_stage=from_stage, to_stage=to, actor=actor.user, actor_label=actor.label,
            note=note, at=now, step_started_at=step_started_at,
        )
        for lead, from_stage, step_started_at in moved
    )  # fmt: skip
    items = []
    for lead, from_stage, _ in moved:
        for name, value in changes.items():
            setattr(lead, name, value)
        items.append(_stage_changed(lead, from_stage=from_stage, actor=actor, at=now))
    leads_moved = [lead for lead, _, _ in moved]
    publish_many("lead.stage_changed", tenant=leads_moved[0].tenant_id, items=items,
                 leads=leads_moved, actor=actor)  # fmt: skip
    return leads_moved


def _announce_rejection(lead: Lead, *, actor: Actor, reason_code: str, note: str, at) -> None:
    """Tell marketing why sales sent the lead back (`lead.rejected`, to the people
    `leads.rejections` names), in the rejection's transaction."""
    label = RejectionReason.objects.filter(code=reason_code).values_list("label", flat=True).first()
    publish(
        "lead.rejected",
        tenant=lead.tenant_id,
        data={**lead_payload(lead), "reason_code": reason_code, "reason": label or reason_code,
              "note": note or "", "by": actor.label, "at": at,
              "notify": rejection_recipients([(lead.pk, at)])[(lead.pk, at)]},
    )  # fmt: skip


def lead_reject(*, lead: Lead, actor: Actor, reason_code: str, note: str = "") -> Lead:
    """Sales sends an SQL back to marketing with a reason marketing will read."""
    if lead.stage != Stage.SQL:
        raise IllegalTransition(f"Only an SQL can be rejected; this lead is {lead.stage}.")
    taken_by_other = lead.is_accepted and lead.owner_id != actor.user_id
    if taken_by_other and actor.role not in LEADERSHIP_ROLES:
        _raise_already_accepted(lead)
    return lead_transition(
        lead=lead, to=Stage.RECYCLED, actor=actor, reason_code=reason_code, note=note
    )


@transaction.atomic
def lead_accept(*, lead: Lead, actor: Actor) -> Lead:
    """The rep takes the SQL: they become its owner. Of many racing accepts, one wins."""
    if not lifecycle.accepts_sqls(role=actor.role) or actor.user is None:
        raise NotAllowed("Only sales reps (and managers) accept SQLs.")
    if lead.stage != Stage.SQL:
        raise IllegalTransition(f"Only an SQL can be accepted; this lead is {lead.stage}.")
    if lead.is_accepted:
        _raise_already_accepted(lead)
    now = timezone.now()
    # `takeable` is the rule itself, applied to the row as it is now: of racing accepts (or
    # an accept racing a re-route), only one whose rule still holds can update it.
    updated = Lead.objects.filter(
        Q(pk=lead.pk) & lifecycle.takeable(role=actor.role, actor_id=actor.user_id)
    ).update(owner=actor.user, accepted_at=now, updated_at=now)
    if not updated:
        current = Lead.objects.select_related("owner").get(pk=lead.pk)
        if current.stage != Stage.SQL:
            raise StaleStage(f"The lead moved to {current.stage} meanwhile.")
        if current.accepted_at is not None:
            _raise_already_accepted(current)
        raise NotAllowed(f"This SQL is routed to {current.owner.email}.")
    lead.owner, lead.accepted_at, lead.updated_at = actor.user, now, now
    transition_record(
        lead=lead, action=TransitionAction.ACCEPT, from_stage=Stage.SQL, to_stage=Stage.SQL,
        actor=actor, at=now, step_started_at=lead.stage_changed_at,
    )  # fmt: skip
    publish("lead.accepted", tenant=lead.tenant_id,
            data={**lead_payload(lead), "accepted_at": now}, lead=lead, actor=actor)  # fmt: skip
    return lead


@transaction.atomic
def lead_assign(*, lead: Lead, owner_email: str, actor: Actor, note: str = "") -> Lead:
    """Managers (re)assign a lead; routing assigns SQLs as the system. Recorded in history."""
    if not actor.is_system and actor.role not in LEADERSHIP_ROLES:
        raise NotAllowed("Only managers and admins assign leads.")
    if lead.stage in FINAL_STAGES:
        raise IllegalTransition(f"A {lead.stage} lead cannot be reassigned.")
    membership = (
        members_of(tenant=lead.tenant, roles=SALES_ROLES | LEADERSHIP_ROLES)
        .filter(user__email__iexact=owner_email.strip())
        .first()
    )
    if membership is None:
        raise LeadDataConflict({"owner": [f"{owner_email} is not a sales rep or manager here."]})
    new_owner = membership.user
    previous = lead.owner
    if not Lead.objects.filter(pk=lead.pk, stage=lead.stage, owner=previous).update(
        owner=new_owner, updated_at=timezone.now()
    ):
        _refresh_and_explain(lead, lead.stage)
    lead.owner = new_owner
    transition_record(
        lead=lead, action=TransitionAction.ASSIGN, from_stage=lead.stage, to_stage=lead.stage,
        actor=actor, note=note or f"Assigned to {new_owner.email}"
        + (f" (was {previous.email})" if previous else ""),
    )  # fmt: skip
    if not actor.is_system:
        # Routing's own assignments are in the lead's history; a person's choice is audited.
        audit_record(
            tenant=lead.tenant_id,
            actor=actor,
            action="lead.reassigned",
            # By id only: the audit log keeps no personal data that an erasure would miss.
            target=("lead", lead.pk, f"lead #{lead.pk}"),
            changes={"owner": [previous.email if previous else None, new_owner.email]},
        )
    publish(
        "lead.assigned",
        tenant=lead.tenant_id,
        data={**lead_payload(lead), "previous_owner": owner_payload(previous)},
        lead=lead, actor=actor,
    )  # fmt: skip
    return lead
