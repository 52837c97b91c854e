"""Inviting someone by e-mail, and the invitee accepting.

The link's token is `signing.TimestampSigner`-signed `<invitation id>:<nonce>`: the signature
makes it unforgeable, the timestamp makes it expire after 7 days, and the nonce (stored as a
hash, replaced on resend, cleared on accept or revoke) makes it single-use. Every refusal
says only that the link does not work, never whether an address has an account.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth import authenticate, get_user_model, password_validation
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from smarketing.tenancy.actors import Actor
from smarketing.tenancy.audit import audit_record
from smarketing.tenancy.errors import InvalidSettings, InvitationRefused, NotAdmin
from smarketing.tenancy.invitations.models import INVITATION_VALID_FOR, Invitation
from smarketing.tenancy.members.services import may_manage_members, member_join
from smarketing.tenancy.models import Membership
from smarketing.tenancy.roles import Role
from smarketing.tenancy.scope import cross_tenant_scope, tenant_scope

SIGNING_SALT = "smarketing.invitation"
LINK_REFUSED = "This invitation link is not valid: it was used, revoked, replaced or has expired."


def _hash(nonce: str) -> str:
    return hashlib.sha256(nonce.encode()).hexdigest()


def _require_admin(actor: Actor) -> None:
    if not may_manage_members(actor.role):
        raise NotAdmin("Only admins invite people.")


def _issue_link(invitation: Invitation) -> str:
    """A fresh token for `invitation` (the previous link stops working); returns the URL."""
    nonce = secrets.token_urlsafe(24)
    invitation.nonce_hash = _hash(nonce)
    invitation.sent_at = timezone.now()
    invitation.expires_at = invitation.sent_at + INVITATION_VALID_FOR
    token = signing.TimestampSigner(salt=SIGNING_SALT).sign(f"{invitation.pk}:{nonce}")
    return f"{settings.SITE_URL.rstrip('/')}/invite/{token}/"


def _send_on_commit(invitation: Invitation, link: str, tenant: Any, actor: Actor) -> None:
    context = {"tenant": tenant, "invitation": invitation, "link": link, "inviter": actor.label,
               "role": Role(invitation.role).label, "days": INVITATION_VALID_FOR.days}  # fmt: skip
    subject = f"You are invited to {tenant.name} on Smarketing"
    body = render_to_string("tenancy/email/invitation.txt", context)
    # robust: a mail server that is down must not turn a committed invite into an error
    # page; the admin sees "sent at" and can resend.
    transaction.on_commit(lambda: send_mail(subject, body, None, [invitation.email]), robust=True)


@transaction.atomic
def invitation_create(*, tenant: Any, actor: Actor, email: str, role: str) -> Invitation:
    """Invite `email` with `role`; an open invitation to the same address is replaced."""
    _require_admin(actor)
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise InvalidSettings({"email": ["Enter a valid e-mail address."]}) from None
    if role not in Role.values:
        raise InvalidSettings({"role": [f"Use one of {', '.join(Role.values)}."]})
    if Membership.objects.filter(user__email__iexact=email, is_active=True).exists():
        raise InvalidSettings({"email": [f"{email} is already a member of {tenant.name}."]})
    for old in Invitation.objects.select_for_update().filter(
        email__iexact=email, accepted_at__isnull=True, revoked_at__isnull=True
    ):
        _revoke(old, actor, reason="replaced")
    invitation = Invitation(tenant=tenant, email=email, role=role, invited_by=actor.user)
    invitation.sent_at = invitation.expires_at = timezone.now()
    invitation.save()
    link = _issue_link(invitation)
    invitation.save(update_fields=["nonce_hash", "sent_at", "expires_at"])
    audit_record(
        tenant=tenant,
        actor=actor,
        action="invitation.created",
        target=invitation,
        changes={"email": email, "role": role},
    )
    _send_on_commit(invitation, link, tenant, actor)
    return invitation


@transaction.atomic
def invitation_resend(*, invitation: Invitation, actor: Actor) -> Invitation:
    """A new link (the old one stops working), valid 7 days from now."""
    _require_admin(actor)
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if not invitation.is_open:
        raise InvitationRefused("This invitation was accepted or revoked; invite again.")
    link = _issue_link(invitation)
    invitation.save(update_fields=["nonce_hash", "sent_at", "expires_at"])
    audit_record(
        tenant=invitation.tenant_id,
        actor=actor,
        action="invitation.resent",
        target=invitation,
        changes={"email": invitation.email},
    )
    _send_on_commit(invitation, link, invitation.tenant, actor)
    return invitation


def _revoke(invitation: Invitation, actor: Actor, reason: str = "") -> None:
    invitation.revoked_at, invitation.nonce_hash = timezone.now(), ""
    invitation.save(update_fields=["revoked_at", "nonce_hash"])
    audit_record(
        tenant=invitation.tenant_id,
        actor=actor,
        action="invitation.revoked",
        target=invitation,
        changes={"email": invitation.email, "reason": reason},
    )


@transaction.atomic
def invitation_revoke(*, invitation: Invitation, actor: Actor) -> Invitation:
    _require_admin(actor)
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.is_open:
        _revoke(invitation, actor)
    return invitation


@dataclass(frozen=True)
class OpenInvitation:
    invitation: Invitation
    has_account: bool  # shown only to the holder of a valid link


def invitation_from_token(token: str) -> OpenInvitation:
    """The open invitation a link stands for, or `InvitationRefused` with one message."""
    try:
        value = signing.TimestampSigner(salt=SIGNING_SALT).unsign(
            token, max_age=INVITATION_VALID_FOR
        )
        invitation_id, nonce = value.split(":", 1)
    except (signing.BadSignature, ValueError):
        raise InvitationRefused(LINK_REFUSED) from None
    with cross_tenant_scope():
        invitation = (
            Invitation.all_tenants.select_related("tenant").filter(pk=invitation_id).first()
        )
    if (
        invitation is None
        or not invitation.is_open
        or invitation.expires_at <= timezone.now()
        or not invitation.nonce_hash
        or not secrets.compare_digest(invitation.nonce_hash, _hash(nonce))
    ):
        raise InvitationRefused(LINK_REFUSED)
    has_account = get_user_model().objects.filter(email__iexact=invitation.email).exists()
    return OpenInvitation(invitation, has_account)


def invitation_accept(
    *, token: str, password: str, first_name: str = "", last_name: str = "",
    ip: str | None = None, request: Any = None,
) -> Membership:  # fmt: skip
    """Join the tenant: a new person sets name and password; an existing one gives theirs.

    An existing account's password is checked by `authenticate` before the joining
    transaction, so a failed attempt is recorded (and counts towards the same lock-out as
    the login form, by `request`) even though the join is refused.
    """
    found = invitation_from_token(token)
    invitation = found.invitation
    user = get_user_model().objects.filter(email__iexact=invitation.email).first()
    if user is not None:
        try:
            signed_in = authenticate(request, username=invitation.email, password=password)
        except PermissionDenied:  # locked out after too many failures
            signed_in = None
        if signed_in is None or signed_in.pk != user.pk:
            raise InvalidSettings({"password": ["That is not the password of this account."]})
    return _join(found, user, password=password, first_name=first_name, last_name=last_name,
                 ip=ip)  # fmt: skip


@transaction.atomic
def _join(
    found: OpenInvitation, user: Any, *, password: str, first_name: str, last_name: str,
    ip: str | None,
) -> Membership:  # fmt: skip
    invitation = found.invitation
    User = get_user_model()
    if user is None:
        first_name, last_name = first_name.strip(), last_name.strip()
        if not first_name:
            raise InvalidSettings({"first_name": ["Tell us your first name."]})
        candidate = User(email=invitation.email, first_name=first_name, last_name=last_name)
        try:
            password_validation.validate_password(password, candidate)
        except ValidationError as error:
            raise InvalidSettings({"password": list(error.messages)}) from None
        user = User.objects.create_user(
            email=invitation.email, password=password, first_name=first_name,
            last_name=last_name,
        )  # fmt: skip
    with tenant_scope(invitation.tenant):
        locked = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if locked.nonce_hash != invitation.nonce_hash or not locked.is_open:
            raise InvitationRefused(LINK_REFUSED)  # a concurrent accept won
        locked.accepted_at, locked.nonce_hash = timezone.now(), ""
        locked.save(update_fields=["accepted_at", "nonce_hash"])
        actor = Actor(user=user, role=locked.role, label=user.email, ip=ip)
        return member_join(tenant=invitation.tenant, user=user, role=locked.role, actor=actor)
