"""How leads reacts to events of other parts, and of its own (subscribed in `LeadsConfig.ready`)."""

from leads.imports.privacy import import_files_prune
from leads.models import DEFAULT_REJECTION_REASONS, RejectionReason, Stage
from smarketing.events import subscribe
from smarketing.privacy.retention import register_pruner


def seed_rejection_reasons(*, tenant, items, **context) -> None:
    RejectionReason.objects.bulk_create(
        [
            RejectionReason(tenant=tenant, code=code, label=label, position=position)
            for position, (code, label) in enumerate(DEFAULT_REJECTION_REASONS)
        ],
        ignore_conflicts=True,
    )


def route_new_sqls(*, tenant, items, lead=None, leads=(), **context) -> None:
    """An SQL entered the queue: the tenant's routing rules may give it to a rep now.

    `leads`: the moved leads of a batch, as their mover holds them."""
    from leads.models import Lead
    from leads.routing.route import lead_route

    held = {moved.pk: moved for moved in [*leads, *([lead] if lead is not None else [])]}
    for item in items:
        if item.get("to") != Stage.SQL:
            continue
        target = held.get(item["id"])
        target = target or Lead.objects.filter(pk=item["id"]).select_related("owner").first()
        if target is not None and target.stage == Stage.SQL:
            lead_route(lead=target)


def hand_on_deactivated_members_sqls(*, tenant, items, actor=None, **context) -> None:
    """A deactivated rep's SQLs that nobody accepted yet go back through routing; those
    routing cannot place return to the queue, unowned. Their own capacity goes too: routing
    settings name only members."""
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from leads.models import Lead, TransitionAction
    from leads.routing.models import RoutingSettings
    from leads.routing.route import lead_reroute
    from leads.routing.services import rep_capacity_set
    from leads.services.history import transition_record
    from smarketing.tenancy.actors import Actor

    for item in items:
        user_id = item["user_id"]
        overrides = RoutingSettings.objects.values_list("capacities", flat=True).first() or {}
        if str(user_id) in overrides:
            user = get_user_model().objects.get(pk=user_id)
            rep_capacity_set(tenant=tenant, actor=actor or Actor.system(), user=user, capacity=None)
        waiting = Lead.objects.filter(owner_id=user_id, stage=Stage.SQL, accepted_at__isnull=True)
        for lead in waiting.select_related("owner").order_by("pk"):
            if lead_reroute(lead=lead, exclude={user_id}, reason="the owner was deactivated."):
                continue
            Lead.objects.filter(pk=lead.pk, owner_id=user_id).update(
                owner=None, updated_at=timezone.now()
            )
            transition_record(
                lead=lead, action=TransitionAction.ASSIGN, from_stage=lead.stage,
                to_stage=lead.stage, actor=actor or Actor.system(),
                note=f"Back to the queue: {item['email']} was deactivated.",
            )  # fmt: skip


def refresh_match_keys(*, tenant, items, written_leads=(), **context) -> None:
    """A profile changed (or was erased, or merged): its duplicate keys follow.

    `written_leads`: instances exactly as the publisher just wrote them (an upsert), whose
    profile need not be read again."""
    from leads.duplicates.services import match_keys_refresh

    match_keys_refresh(lead_ids=[item["id"] for item in items], leads=written_leads,
                       region=getattr(tenant, "country", None))  # fmt: skip


def erase_captured_data(*, tenant, items, actor=None, **context) -> None:
    """Erasure reaches what capture and merges kept of the person: the address a consent
    came from, the old values a merge kept, and the tombstones merged into the lead."""
    from leads.merging.services import merges_forget
    from leads.models import Lead
    from leads.services.erasure import lead_erase
    from leads.webforms.services import consents_erase
    from smarketing.tenancy.actors import Actor

    lead_ids = [item["id"] for item in items]
    consents_erase(lead_ids=lead_ids)
    merges_forget(lead_ids=lead_ids)
    for tombstone in Lead.objects.filter(merged_into_id__in=lead_ids, erased_at__isnull=True):
        lead_erase(lead=tombstone, actor=Actor.system())


def register() -> None:
    register_pruner("import_files", import_files_prune)
    register_pruner("import_files", import_files_prune)
    subscribe("tenant.created", seed_rejection_reasons)
    subscribe("lead.stage_changed", route_new_sqls)
    subscribe("member.deactivated", hand_on_deactivated_members_sqls)
    subscribe("lead.profile_changed", refresh_match_keys)
    subscribe("lead.erased", refresh_match_keys)
    subscribe("lead.erased", erase_captured_data)
