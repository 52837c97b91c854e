"""Merging two leads into one, and undoing it within 30 days.

The survivor takes the chosen values; the other's events, transitions, campaign touches and
consents move to it (other apps move what they own, e.g. SLA obligations, when they hear
`lead.merged`); the other becomes a tombstone that points at the survivor. The merge row
keeps every old value of both leads and the ids of every moved row, so an undo puts each
row back where it was.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from leads.input import is_empty
from leads.merging.errors import InvalidMerge, MergeConflict, MergeDataConflict, UndoRefused
from leads.merging.models import LeadMerge
from leads.merging.snapshots import lead_restore, lead_snapshot
from leads.models import CampaignTouch, Lead, LeadEvent, StageTransition, TransitionAction
from leads.services.history import transition_record
from leads.webforms.models import LeadConsent
from smarketing.events import publish
from smarketing.tenancy.actors import Actor
from smarketing.tenancy.audit import audit_record

UNDO_DAYS = 30
MERGE_FIELDS = ("email", "first_name", "last_name", "company", "title", "phone", "industry",
                "company_size", "country", "campaign", "custom_fields")  # fmt: skip
CHOICES = ("this", "other")
# The rows that belong to a lead and follow it into the survivor (and back on undo).
MOVED_MODELS = {"events": LeadEvent, "transitions": StageTransition,
                "campaign_touches": CampaignTouch, "consents": LeadConsent}  # fmt: skip
TOMBSTONE_DOMAIN = "merged.invalid"


def _check_choices(fields: Any) -> dict[str, str]:
    if not isinstance(fields, dict):
        raise InvalidMerge({"fields": ['Must be an object of field names to "this" or "other".']})
    errors = {}
    for name, choice in fields.items():
        if name not in MERGE_FIELDS:
            errors[f"fields.{name}"] = [f"Not a field to choose; use {', '.join(MERGE_FIELDS)}."]
        elif choice not in CHOICES:
            errors[f"fields.{name}"] = ['Choose "this" or "other".']
    if errors:
        raise InvalidMerge(errors)
    return dict(fields)


def merge_refusal(*, lead: Lead, other: Lead) -> str | None:
    """Why these two cannot be merged, or None. The page asks this before offering it."""
    if lead.pk == other.pk:
        return "A lead cannot be merged with itself."
    for each in (lead, other):
        if each.merged_into_id is not None:
            return f"Lead {each.pk} was merged into lead {each.merged_into_id} already."
        if each.erased_at is not None:
            return f"Lead {each.pk} was erased."
    return None


def _value(lead: Lead, name: str):
    return getattr(lead, "campaign_id" if name == "campaign" else name)


def _merged_values(lead: Lead, other: Lead, choices: dict[str, str]) -> dict[str, Any]:
    """What the survivor holds: the chosen side; unchosen blanks are filled from the other."""
    values = {}
    for name in MERGE_FIELDS:
        mine, theirs = _value(lead, name), _value(other, name)
        if name == "custom_fields":
            first, second = (mine, theirs) if choices.get(name) == "other" else (theirs, mine)
            values[name] = {**(first or {}), **(second or {})}
        elif choices.get(name) == "other" or (name not in choices and is_empty(mine)):
            values[name] = theirs if not is_empty(theirs) or choices.get(name) else mine
        else:
            values[name] = mine
    return values


def _tombstone_email(lead: Lead) -> str:
    return f"merged-{lead.pk}@{TOMBSTONE_DOMAIN}"


@transaction.atomic
def lead_merge(*, lead: Lead, other_id: Any, fields: Any, actor: Actor) -> LeadMerge:
    """Merge lead `other_id` into `lead` (the survivor), as `fields` chooses."""
    choices = _check_choices(fields if fields is not None else {})
    if isinstance(other_id, bool) or not isinstance(other_id, int):
        raise InvalidMerge({"other": ["Give the id of the other lead."]})
    locked = {x.pk: x for x in Lead.objects.select_for_update().filter(pk__in={lead.pk, other_id})
              .order_by("pk")}  # fmt: skip
    if other_id not in locked:
        raise MergeDataConflict({"other": [f"No lead {other_id} here."]})
    lead, other = locked[lead.pk], locked[other_id]
    refusal = merge_refusal(lead=lead, other=other)
    if refusal:
        raise MergeConflict(refusal)
    now = timezone.now()
    before = {"survivor": lead_snapshot(lead), "other": lead_snapshot(other)}
    values = _merged_values(lead, other, choices)

    # The other's address is freed first: one lead per address, even inside this transaction.
    other.email = _tombstone_email(other)
    other.merged_into = lead
    other.campaign_id = other.owner_id = other.accept_due_at = other.accept_warn_at = None
    other.is_cold, other.cold_since = False, None
    other.save(update_fields=["email", "merged_into", "campaign", "owner", "accept_due_at",
                              "accept_warn_at", "is_cold", "cold_since", "updated_at"])  # fmt: skip
    for name, value in values.items():
        setattr(lead, "campaign_id" if name == "campaign" else name, value)
    activity = [at for at in (lead.last_activity_at, other.last_activity_at) if at]
    lead.last_activity_at = max(activity) if activity else None
    lead.save(update_fields=[*MERGE_FIELDS, "last_activity_at", "updated_at"])

    moved: dict[str, Any] = {}
    for key, model in MOVED_MODELS.items():
        rows = model.objects.filter(lead_id=other.pk)
        moved[key] = sorted(rows.values_list("pk", flat=True))
        rows.update(lead_id=lead.pk)
    merge = LeadMerge.objects.create(
        tenant_id=lead.tenant_id, survivor=lead, other=other, actor=actor.user,
        actor_label=actor.label, fields=choices, before=before, moved=moved, at=now,
        undo_until=now + timedelta(days=UNDO_DAYS),
    )  # fmt: skip
    notes: list[str] = []
    if other.stage != lead.stage:
        # Stages are history, not a value to pick: the survivor's stands.
        notes.append(f"The merged lead was at stage “{other.get_stage_display()}”; this lead "
                     f"stays at “{lead.get_stage_display()}”.")  # fmt: skip
    transition_record(
        lead=lead, action=TransitionAction.MERGE, from_stage=lead.stage, to_stage=lead.stage,
        actor=actor, note=f"Lead {other.pk} merged into this one.", at=now,
    )  # fmt: skip
    # Other apps move what they own and say what they decided, into `moved` and `notes`.
    publish("lead.merged", tenant=lead.tenant_id,
            data={"id": lead.pk, "merged_id": other.pk, "merge_id": merge.pk},
            lead=lead, other=other, moved=moved, notes=notes, actor=actor)  # fmt: skip
    publish_profile_changed(tenant_id=lead.tenant_id, leads=[lead, other], actor=actor)
    merge.moved, merge.notes = moved, notes
    # By ids only: the audit log keeps no personal data that an erasure would miss.
    audit_record(
        tenant=lead.tenant_id,
        actor=actor,
        action="lead.merged",
        target=("lead", lead.pk, f"lead #{lead.pk}"),
        changes={"merged_id": other.pk, "merge_id": merge.pk, "fields": choices},
    )
    merge.survivor_version = Lead.objects.filter(pk=lead.pk).values_list("updated_at", flat=True)[0]
    merge.save(update_fields=["moved", "notes", "survivor_version"])
    return merge


def publish_profile_changed(*, tenant_id: int, leads: list[Lead], actor: Actor) -> None:
    from smarketing.events import publish_many

    publish_many("lead.profile_changed", tenant=tenant_id, items=[{"id": x.pk} for x in leads],
                 leads=leads, new_ids=[], actor=actor)  # fmt: skip


def undo_refusal(*, merge: LeadMerge, survivor: Lead, now=None) -> str | None:
    """Why this merge cannot be undone now, or None."""
    now = now or timezone.now()
    if merge.undone_at is not None:
        return "This merge was undone already."
    if not merge.before:
        return "A lead of this merge was erased since: there is nothing to restore."
    if now > merge.undo_until:
        return f"Merges can be undone for {UNDO_DAYS} days; this one is older."
    if survivor.erased_at is not None or survivor.merged_into_id is not None:
        return "The surviving lead was erased or merged again since."
    if merge.survivor_version and survivor.updated_at > merge.survivor_version:
        return ("The surviving lead changed since the merge (a stage move, an owner or an edit): "
                "undoing would lose that.")  # fmt: skip
    return None


@transaction.atomic
def lead_merge_undo(*, merge: LeadMerge, actor: Actor) -> LeadMerge:
    """Make the two leads of `merge` two again, each row back where it was."""
    merge = LeadMerge.objects.select_for_update().get(pk=merge.pk)
    locked = {x.pk: x for x in Lead.objects.select_for_update()
              .filter(pk__in={merge.survivor_id, merge.other_id}).order_by("pk")}  # fmt: skip
    survivor, other = locked[merge.survivor_id], locked[merge.other_id]
    refusal = undo_refusal(merge=merge, survivor=survivor)
    if refusal:
        raise UndoRefused(refusal)
    now = timezone.now()
    survivor_email = merge.before["survivor"]["email"]
    if Lead.objects.filter(email=survivor_email).exclude(pk__in=(survivor.pk, other.pk)).exists():
        raise UndoRefused(f"Another lead has the address {survivor_email} now.")
    other_email = merge.before["other"]["email"]
    if Lead.objects.filter(email=other_email).exclude(pk__in=(survivor.pk, other.pk)).exists():
        raise UndoRefused(f"Another lead has the address {other_email} now.")

    for key, model in MOVED_MODELS.items():
        model.objects.filter(pk__in=merge.moved.get(key, []), lead_id=survivor.pk).update(
            lead_id=other.pk
        )
    # Both addresses are set aside first: the survivor may hold the other's address.
    Lead.objects.filter(pk=survivor.pk).update(email=_tombstone_email(survivor))
    Lead.objects.filter(pk=other.pk).update(email=_tombstone_email(other))
    names = lead_restore(survivor, merge.before["survivor"])
    survivor.save(update_fields=names)
    lead_restore(other, merge.before["other"])
    other.save(update_fields=names)
    for lead, note in (
        (survivor, f"Merge with lead {other.pk} undone."),
        (other, f"Merge into lead {survivor.pk} undone."),
    ):
        transition_record(lead=lead, action=TransitionAction.MERGE, from_stage=lead.stage,
                          to_stage=lead.stage, actor=actor, note=note, at=now)  # fmt: skip
    publish("lead.unmerged", tenant=survivor.tenant_id,
            data={"id": survivor.pk, "merged_id": other.pk, "merge_id": merge.pk},
            lead=survivor, other=other, moved=merge.moved, actor=actor)  # fmt: skip
    publish_profile_changed(tenant_id=survivor.tenant_id, leads=[survivor, other], actor=actor)
    merge.undone_at = now
    merge.save(update_fields=["undone_at"])
    audit_record(tenant=survivor.tenant_id, actor=actor, action="lead.merge_undone",
                 target=("lead", survivor.pk, f"lead #{survivor.pk}"),
                 changes={"merged_id": other.pk, "merge_id": merge.pk})  # fmt: skip
    return merge


def merges_forget(*, lead_ids: list[int]) -> None:
    """Erasure: the old values a merge kept are personal data. They go, and so does the
    chance to undo the merge."""
    from django.db.models import Q

    LeadMerge.objects.filter(Q(survivor_id__in=lead_ids) | Q(other_id__in=lead_ids)).update(
        before={}, fields={}
    )
