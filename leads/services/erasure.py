from django.db import transaction
from django.utils import timezone

from leads.errors import NotAllowed
from leads.models import Lead, LeadEvent, TransitionAction
from leads.services.history import transition_record
from smarketing.events import publish
from smarketing.tenancy.actors import Actor
from smarketing.tenancy.audit import audit_record
from smarketing.tenancy.roles import has_capability

ERASED_DOMAIN = "erased.invalid"
PERSONAL_TEXT_FIELDS = ("first_name", "last_name", "company", "title", "phone")


@transaction.atomic
def lead_erase(*, lead: Lead, actor: Actor) -> Lead:
    """GDPR erasure: personal data goes, the lead's stages, counts and amounts stay.

    The address is replaced by a unique placeholder, so the person can be ingested again
    later as a new lead.
    """
    if not actor.is_system and not has_capability(actor.role, "leads.erase"):
        raise NotAllowed("Only admins erase leads.")
    if lead.erased_at is not None:
        return lead
    now = timezone.now()
    lead.email = f"erased-{lead.pk}@{ERASED_DOMAIN}"
    for name in PERSONAL_TEXT_FIELDS:
        setattr(lead, name, "")
    lead.custom_fields = {}
    lead.erased_at = now
    lead.save(update_fields=["email", *PERSONAL_TEXT_FIELDS, "custom_fields", "erased_at",
                             "updated_at"])  # fmt: skip
    LeadEvent.objects.filter(lead=lead).update(properties={})
    # Notes are free text about the person: the one field of the history erasure rewrites.
    lead.transitions.exclude(note="").update(note="")
    transition_record(
        lead=lead, action=TransitionAction.ERASE, from_stage=lead.stage, to_stage=lead.stage,
        actor=actor, note="Personal data erased on request.", at=now,
    )  # fmt: skip
    audit_record(
        tenant=lead.tenant_id,
        actor=actor,
        action="lead.erased",
        target=("lead", lead.pk, lead.email),
        changes={"personal_data": "erased"},
    )
    publish("lead.erased", tenant=lead.tenant_id, data={"id": lead.pk}, lead=lead, actor=actor)
    return lead
