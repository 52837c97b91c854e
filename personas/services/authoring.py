"""Writing personas: create, edit (a new draft once anyone approved), comment."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from personas.errors import InvalidPersonaData, PersonaDataConflict
from personas.input import CONTENT_FIELDS, clean_persona
from personas.models import (
    BuyerPersona,
    PersonaComment,
    PersonaStatus,
    PersonaVersion,
)
from smarketing.tenancy.actors import Actor
from smarketing.tenancy.audit import audit_record

MAX_COMMENT = 5000


def latest_version(persona: BuyerPersona) -> PersonaVersion:
    return PersonaVersion.objects.filter(persona=persona).order_by("-number").first()


def lock_persona(persona: BuyerPersona) -> BuyerPersona:
    # Every edit and approval of one persona runs one at a time: version numbers and the
    # "both sides approved" count are decided under this lock.
    return BuyerPersona.objects.select_for_update().get(pk=persona.pk)


@transaction.atomic
def persona_create(*, tenant, actor: Actor, data: dict) -> BuyerPersona:
    """A new persona with its first version, a draft nobody approved yet."""
    fields, errors = clean_persona(data)
    if errors:
        raise InvalidPersonaData(errors)
    persona = BuyerPersona.objects.create(tenant=tenant, created_by=actor.user)
    version = PersonaVersion.objects.create(
        tenant=tenant, persona=persona, number=1, created_by=actor.user, **fields
    )
    audit_record(
        tenant=tenant,
        actor=actor,
        action="persona.created",
        target=("buyerpersona", persona.pk, version.name),
        changes={"version": 1},
    )
    return persona


@transaction.atomic
def persona_update(*, persona: BuyerPersona, actor: Actor, data: dict) -> PersonaVersion:
    """Edit the persona's content; returns the version that now holds it.

    A draft nobody approved is edited in place. Once a version carries an approval (or is
    approved), it is frozen: the edit becomes the next version, a draft, so every approval
    keeps referring to the content its giver saw. An approved version keeps scoring leads
    until its successor is approved; a half-approved draft that gets edited is archived.
    """
    fields, errors = clean_persona(data, partial=True)
    if errors:
        raise InvalidPersonaData(errors)
    lock_persona(persona)
    current = latest_version(persona)
    changes = {name: value for name, value in fields.items() if getattr(current, name) != value}
    if not changes:
        return current
    now = timezone.now()
    if current.status == PersonaStatus.DRAFT and not current.approvals.exists():
        for name, value in changes.items():
            setattr(current, name, value)
        current.save(update_fields=list(changes))
    else:
        if current.status == PersonaStatus.DRAFT:
            current.status = PersonaStatus.ARCHIVED
            current.save(update_fields=["status"])
        content = {name: getattr(current, name) for name in CONTENT_FIELDS}
        current = PersonaVersion.objects.create(
            tenant_id=persona.tenant_id,
            persona=persona,
            number=current.number + 1,
            created_by=actor.user,
            **{**content, **changes},
        )
    BuyerPersona.objects.filter(pk=persona.pk).update(updated_at=now)
    audit_record(
        tenant=persona.tenant_id,
        actor=actor,
        action="persona.changed",
        target=("buyerpersona", persona.pk, current.name),
        changes={"version": current.number, "fields": sorted(changes)},
    )
    return current


@transaction.atomic
def persona_comment_add(
    *, persona: BuyerPersona, actor: Actor, body: str, version_number: int | None = None
) -> PersonaComment:
    """A comment from either team, on the current version unless another is named."""
    text = (body or "").strip() if isinstance(body, str) else ""
    if not text:
        raise InvalidPersonaData({"body": ["Write something."]})
    if len(text) > MAX_COMMENT:
        raise InvalidPersonaData({"body": [f"At most {MAX_COMMENT} characters."]})
    versions = PersonaVersion.objects.filter(persona=persona)
    version = (
        versions.order_by("-number").first()
        if version_number is None
        else versions.filter(number=version_number).first()
    )
    if version is None:
        raise PersonaDataConflict({"version": [f"This persona has no version {version_number}."]})
    return PersonaComment.objects.create(
        tenant_id=persona.tenant_id, version=version, author=actor.user, role=actor.role, body=text
    )
