"""GDPR erasure of a lead: the person goes from every table and file, the numbers stay.

One transaction: the lead's own rows (fields, event properties, transition notes), the
imports that held the person (failure samples, uploaded and error CSV files: rewritten now,
the old files deleted on commit), the Django admin's log, and the core's copies
(`smarketing.privacy.person_erase`: outbox payloads, webhook deliveries, idempotency
answers, notifications). Other apps react to `lead.erased` (with the redaction in hand).
The erasure itself is recorded as a transition whose note holds counts only.
"""

from __future__ import annotations

from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone

from leads.errors import NotAllowed
from leads.imports.privacy import imports_erase_person
from leads.models import Lead, LeadEvent, TransitionAction
from leads.personal_data import lead_outbox_events, lead_page_path
from leads.services.history import transition_record
from smarketing.events import publish
from smarketing.privacy.erasure import ErasedPerson, person_erase
from smarketing.privacy.redaction import Redaction
from smarketing.tenancy.actors import Actor
from smarketing.tenancy.roles import has_capability

ERASED_DOMAIN = "erased.invalid"
PERSONAL_TEXT_FIELDS = ("first_name", "last_name", "company", "title", "phone")


def erased_email(lead: Lead) -> str:
    return f"erased-{lead.pk}@{ERASED_DOMAIN}"


def lead_redaction(lead: Lead) -> Redaction:
    """What replaces the lead's personal values wherever a copy of them was written."""
    return Redaction.of(
        email=lead.email,
        erased_email=erased_email(lead),
        values=[lead.full_name, *(getattr(lead, name) for name in PERSONAL_TEXT_FIELDS)],
        record_fields={
            "email": erased_email(lead),
            **dict.fromkeys(PERSONAL_TEXT_FIELDS, ""),
            "custom_fields": {},
        },
    )


@transaction.atomic
def lead_erase(*, lead: Lead, actor: Actor) -> Lead:
    """GDPR erasure: personal data goes everywhere, the lead's stages, counts and amounts stay.

    The address is replaced by a unique placeholder, so the person can be ingested again
    later as a new lead.
    """
    if not actor.is_system and not has_capability(actor.role, "leads.erase"):
        raise NotAllowed("Only admins erase leads.")
    if lead.erased_at is not None:
        return lead
    now = timezone.now()
    email, redaction = lead.email, lead_redaction(lead)
    counts = person_erase(
        person=ErasedPerson(
            email=email,
            redaction=redaction,
            event_ids=tuple(lead_outbox_events(lead)),
            page_path=lead_page_path(lead),
        )
    )
    counts.update(imports_erase_person(email=email, redaction=redaction))
    counts["events"] = (
        LeadEvent.objects.filter(lead=lead).exclude(properties={}).update(properties={})
    )
    # Notes are free text about the person: the one field of the history erasure rewrites.
    counts["notes"] = lead.transitions.exclude(note="").update(note="")
    counts["admin_log"] = LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Lead), object_id=str(lead.pk)
    ).update(object_repr=erased_email(lead))

    lead.email = erased_email(lead)
    for name in PERSONAL_TEXT_FIELDS:
        setattr(lead, name, "")
    lead.custom_fields = {}
    lead.erased_at = now
    lead.save(update_fields=["email", *PERSONAL_TEXT_FIELDS, "custom_fields", "erased_at",
                             "updated_at"])  # fmt: skip
    publish("lead.erased", tenant=lead.tenant_id, data={"id": lead.pk}, lead=lead, actor=actor,
            redaction=redaction)  # fmt: skip
    # The audit record: who erased, when, and how much was rewritten; nothing of the person.
    transition_record(
        lead=lead, action=TransitionAction.ERASE, from_stage=lead.stage, to_stage=lead.stage,
        actor=actor, note=erasure_note(counts), at=now,
    )  # fmt: skip
    return lead


def erasure_note(counts: dict[str, int]) -> str:
    done = ", ".join(f"{name.replace('_', ' ')}: {n}" for name, n in sorted(counts.items()) if n)
    return "Personal data erased on request." + (f" Rewritten: {done}." if done else "")
