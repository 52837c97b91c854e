"""Invitations by their rules: who invites, what the e-mail says, how long a link works, and
what each refusal tells (smarketing/tenancy/invitations)."""

from __future__ import annotations

import logging
import re
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core import mail, signing
from django.test import RequestFactory
from django.utils import timezone

from smarketing.tenancy.actors import Actor
from smarketing.tenancy.errors import InvalidSettings, InvitationRefused, NotAdmin
from smarketing.tenancy.invitations import services
from smarketing.tenancy.invitations.services import (
    LINK_REFUSED,
    SIGNING_SALT,
    invitation_accept,
    invitation_create,
    invitation_from_token,
    invitation_resend,
    invitation_revoke,
)
from smarketing.tenancy.models import AuditEntry, Invitation, Membership
from smarketing.tenancy.pages.invites import landing_for
from smarketing.tenancy.roles import Role
from smarketing.tenancy.scope import tenant_scope
from tests.factories import InvitationFactory, UserFactory
from tests.team.inviting import PASSWORD, invitation_entries, last_link_token

pytestmark = pytest.mark.django_db


# --- inviting ------------------------------------------------------------------------------


def test_only_admins_invite_resend_or_revoke(tenant, member, send):
    invitation, _ = send("x@example.com")
    manager = Actor.member(member(tenant, Role.MANAGER), Role.MANAGER)
    with tenant_scope(tenant):
        for attempt in (
            lambda: invitation_create(
                tenant=tenant, actor=manager, email="y@example.com", role="admin"
            ),
            lambda: invitation_resend(invitation=invitation, actor=manager),
            lambda: invitation_revoke(invitation=invitation, actor=manager),
        ):
            with pytest.raises(NotAdmin) as refused:
                attempt()
            assert refused.value.detail == "Only admins invite people."
        assert Invitation.objects.get(pk=invitation.pk).is_open


@pytest.mark.parametrize(
    ("email", "role", "errors"),
    [
        ("not-an-address", Role.MARKETER, {"email": ["Enter a valid e-mail address."]}),
        ("", Role.MARKETER, {"email": ["Enter a valid e-mail address."]}),
        (None, Role.MARKETER, {"email": ["Enter a valid e-mail address."]}),
        ("ok@example.com", "owner", {"role": ["Use one of admin, manager, marketer, sales_rep."]}),
    ],
)
def test_a_bad_address_or_role_is_refused_beside_its_field(tenant, actor, email, role, errors):
    with tenant_scope(tenant), pytest.raises(InvalidSettings) as refused:
        invitation_create(tenant=tenant, actor=actor, email=email, role=role)
    assert refused.value.errors == errors
    assert invitation_entries(tenant) == []


def test_the_address_is_kept_trimmed_and_in_lower_case(send):
    invitation, _ = send("  New.Person@Example.COM ")
    assert invitation.email == "new.person@example.com"
    assert mail.outbox[-1].to == ["new.person@example.com"]


def test_a_deactivated_member_may_be_invited_back(tenant, member, send):
    former = member(tenant, Role.MARKETER)
    with tenant_scope(tenant):
        Membership.objects.filter(user=former).update(is_active=False)
    invitation, _ = send(former.email)
    assert invitation.is_open


def test_the_invitation_is_recorded_sent_and_audited(tenant, admin, send, settings):
    settings.SITE_URL = "https://app.example.com/"
    before = timezone.now()
    invitation, token = send("ivy@example.com", Role.MARKETER)
    sent = mail.outbox[-1]
    assert sent.subject == "You are invited to Acme on Smarketing"
    assert sent.to == ["ivy@example.com"]
    assert sent.body.startswith(
        "admin@acme.example invites you to join Acme on Smarketing as Marketer.\n"
    )
    assert "(it works once, for 7 days)" in sent.body
    assert f"https://app.example.com/invite/{token}/" in sent.body
    with tenant_scope(tenant):
        stored = Invitation.objects.get(pk=invitation.pk)
    assert stored.invited_by == admin and stored.role == Role.MARKETER
    assert before <= stored.sent_at <= timezone.now()
    assert stored.expires_at == stored.sent_at + timedelta(days=7)
    assert re.fullmatch(r"[0-9a-f]{64}", stored.nonce_hash)
    (entry,) = invitation_entries(tenant)
    assert entry.action == "invitation.created"
    assert entry.changes == {"email": "ivy@example.com", "role": "marketer"}
    assert (entry.target_type, entry.target_id, entry.target_label) == (
        "invitation",
        str(invitation.pk),
        "ivy@example.com as marketer",
    )
    assert entry.actor_label == "admin@acme.example" and entry.ip == "10.9.8.7"


def test_a_mail_server_that_is_down_does_not_undo_the_invitation(
    tenant, actor, monkeypatch, django_capture_on_commit_callbacks, caplog
):
    def down(*args, **kwargs):
        raise ConnectionRefusedError("mail server down")

    monkeypatch.setattr(services, "send_mail", down)
    with (
        caplog.at_level(logging.ERROR),
        tenant_scope(tenant),
        django_capture_on_commit_callbacks(execute=True),
    ):
        invitation = invitation_create(
            tenant=tenant, actor=actor, email="z@example.com", role="admin"
        )
    assert invitation.pk is not None
    assert "mail server down" in caplog.text


def test_a_new_invitation_replaces_the_open_one_to_the_same_address(tenant, send):
    first, first_token = send("twice@example.com")
    second, second_token = send("TWICE@example.com", Role.MANAGER)
    with tenant_scope(tenant):
        first.refresh_from_db()
    assert first.revoked_at is not None and first.nonce_hash == ""
    assert [(e.action, e.target_id) for e in invitation_entries(tenant)] == [
        ("invitation.created", str(first.pk)),
        ("invitation.revoked", str(first.pk)),
        ("invitation.created", str(second.pk)),
    ]
    assert invitation_entries(tenant)[1].changes == {
        "email": "twice@example.com",
        "reason": "replaced",
    }
    with pytest.raises(InvitationRefused):
        invitation_from_token(first_token)
    assert invitation_from_token(second_token).invitation.role == Role.MANAGER


# --- resend and revoke ---------------------------------------------------------------------


def test_a_resend_sends_a_new_link_valid_seven_days_from_now(
    tenant, actor, send, clock, django_capture_on_commit_callbacks
):
    start = clock.set(timezone.now())
    invitation, old_token = send("late@example.com")
    later = clock.set(start + timedelta(days=3))
    with tenant_scope(tenant), django_capture_on_commit_callbacks(execute=True):
        resent = invitation_resend(invitation=invitation, actor=actor)
    new_token = last_link_token()
    assert new_token != old_token and mail.outbox[-1].to == ["late@example.com"]
    assert resent.sent_at == later and resent.expires_at == later + timedelta(days=7)
    with tenant_scope(tenant):
        stored = Invitation.objects.get(pk=invitation.pk)
    assert (stored.sent_at, stored.expires_at) == (later, later + timedelta(days=7))
    entry = invitation_entries(tenant)[-1]
    assert (entry.action, entry.changes) == ("invitation.resent", {"email": "late@example.com"})
    assert entry.target_id == str(invitation.pk) and entry.ip == "10.9.8.7"
    with pytest.raises(InvitationRefused):
        invitation_from_token(old_token)
    assert invitation_from_token(new_token).invitation.pk == invitation.pk


def test_a_used_or_revoked_invitation_is_not_resent(tenant, actor, send):
    invitation, _ = send("gone@example.com")
    with tenant_scope(tenant):
        invitation_revoke(invitation=invitation, actor=actor)
        with pytest.raises(InvitationRefused) as refused:
            invitation_resend(invitation=invitation, actor=actor)
    assert refused.value.detail == "This invitation was accepted or revoked; invite again."
    assert refused.value.code == "invitation_refused"


def test_revoking_twice_records_it_once(tenant, actor, send):
    invitation, _ = send("rev@example.com")
    with tenant_scope(tenant):
        invitation_revoke(invitation=invitation, actor=actor)
        again = invitation_revoke(invitation=invitation, actor=actor)
    assert again.revoked_at is not None and again.nonce_hash == ""
    revocations = [e for e in invitation_entries(tenant) if e.action == "invitation.revoked"]
    assert len(revocations) == 1
    assert revocations[0].changes == {"email": "rev@example.com", "reason": ""}


# --- the link ------------------------------------------------------------------------------


def _refused(token: str) -> None:
    with pytest.raises(InvitationRefused) as refused:
        invitation_from_token(token)
    assert refused.value.detail == LINK_REFUSED


def test_a_link_works_until_its_expiry_and_not_at_it(tenant, send, clock):
    start = clock.set(timezone.now())
    invitation, token = send("exp@example.com")
    clock.set(start + timedelta(days=7) - timedelta(seconds=1))
    assert invitation_from_token(token).invitation.pk == invitation.pk
    clock.set(start + timedelta(days=7))
    _refused(token)


def test_a_signature_older_than_seven_days_is_refused_whatever_the_row_says(
    tenant, send, monkeypatch
):
    invitation, token = send("old@example.com")
    with tenant_scope(tenant):
        Invitation.objects.filter(pk=invitation.pk).update(
            expires_at=timezone.now() + timedelta(days=30)
        )
    real = signing.time.time
    monkeypatch.setattr(signing.time, "time", lambda: real() + 7 * 86400 - 60)
    assert invitation_from_token(token).invitation.pk == invitation.pk
    monkeypatch.setattr(signing.time, "time", lambda: real() + 7 * 86400 + 60)
    _refused(token)


def test_links_that_were_never_issued_are_refused_alike(tenant, send):
    invitation, token = send("forged@example.com")
    signer = signing.TimestampSigner(salt=SIGNING_SALT)
    _refused("garbage")
    _refused(signer.sign(str(invitation.pk)))  # no nonce
    _refused(signer.sign(f"{invitation.pk + 1000}:nonce"))  # no such invitation
    _refused(signer.sign(f"{invitation.pk}:another-nonce"))
    _refused(signer.sign(f"{invitation.pk}:another:nonce"))
    _refused(signing.TimestampSigner(salt="another").sign(f"{invitation.pk}:x"))
    with tenant_scope(tenant):
        Invitation.objects.filter(pk=invitation.pk).update(nonce_hash="")
    _refused(token)


def test_a_link_carries_the_invitation_and_a_nonce_of_192_bits(send):
    invitation, token = send("bits@example.com")
    invitation_id, nonce = token.split(":")[:2]
    assert invitation_id == str(invitation.pk) and len(nonce) == 32


def test_a_link_is_read_in_two_queries(send, django_assert_num_queries):
    _, token = send("q@example.com")
    with django_assert_num_queries(2):  # the invitation with its tenant; whether one has an account
        found = invitation_from_token(token)
        assert found.invitation.tenant.slug == "acme"


def test_a_valid_link_tells_whether_the_address_has_an_account(tenant, send):
    _, fresh = send("fresh@example.com")
    assert invitation_from_token(fresh).has_account is False
    UserFactory(email="Known@Example.com")
    _, known = send("known@example.com")
    found = invitation_from_token(known)
    assert found.has_account is True and found.invitation.tenant == tenant


# --- accepting -----------------------------------------------------------------------------


def test_a_new_person_must_give_a_first_name_and_a_good_password(tenant, send):
    _, token = send("np@example.com")
    with pytest.raises(InvalidSettings) as nameless:
        invitation_accept(token=token, password=PASSWORD, first_name="   ")
    assert nameless.value.errors == {"first_name": ["Tell us your first name."]}
    with pytest.raises(InvalidSettings) as weak:
        invitation_accept(token=token, password="np@example.com", first_name="Nia")
    assert list(weak.value.errors) == ["password"] and weak.value.errors["password"]
    assert not get_user_model().objects.filter(email="np@example.com").exists()


def test_a_new_person_joins_named_and_the_link_is_spent(tenant, send):
    invitation, token = send("np@example.com", Role.MARKETER)
    membership = invitation_accept(
        token=token, password=PASSWORD, first_name=" Nia ", last_name=" Rossi ", ip="10.0.0.9"
    )
    user = membership.user
    assert (user.email, user.first_name, user.last_name) == ("np@example.com", "Nia", "Rossi")
    assert user.check_password(PASSWORD)
    assert membership.role == Role.MARKETER and membership.tenant_id == tenant.pk
    with tenant_scope(tenant):
        stored = Invitation.objects.get(pk=invitation.pk)
        joined = AuditEntry.objects.get(action="member.joined")
    assert stored.accepted_at is not None and stored.nonce_hash == ""
    assert (joined.actor_id, joined.actor_label, joined.actor_role, joined.ip) == (
        user.pk,
        "np@example.com",
        "marketer",
        "10.0.0.9",
    )
    _refused(token)


def test_an_existing_account_must_give_its_own_password(tenant, send, other_tenant, member):
    person = member(other_tenant, Role.MARKETER)
    _, token = send(person.email, Role.MANAGER)
    request = RequestFactory().post(f"/invite/{token}/")
    with pytest.raises(InvalidSettings) as wrong:
        invitation_accept(token=token, password="not-it", request=request)
    assert wrong.value.errors == {"password": ["That is not the password of this account."]}
    joined = invitation_accept(token=token, password="correct-horse-battery", request=request)
    assert joined.user == person and joined.role == Role.MANAGER


def test_a_link_spent_meanwhile_is_refused_at_the_join(tenant, send, monkeypatch):
    invitation, token = send("race@example.com")
    found = invitation_from_token(token)
    with tenant_scope(tenant):  # another accept wins between the read and the join
        Invitation.objects.filter(pk=invitation.pk).update(
            nonce_hash="", accepted_at=timezone.now()
        )
    monkeypatch.setattr(services, "invitation_from_token", lambda token: found)
    with pytest.raises(InvitationRefused) as refused:
        invitation_accept(token=token, password=PASSWORD, first_name="R")
    assert refused.value.detail == LINK_REFUSED


def test_new_members_start_where_their_role_works():
    assert landing_for("acme", Role.SALES_REP) == "/t/acme/queue/"
    for role in (Role.ADMIN, Role.MANAGER, Role.MARKETER):
        assert landing_for("acme", role) == "/t/acme/"


def test_an_invitation_reads_as_open_expired_accepted_or_revoked(tenant, admin_api):
    now = timezone.now()
    day = timedelta(days=1)
    InvitationFactory(tenant=tenant, email="open@x.example", expires_at=now + day)
    InvitationFactory(tenant=tenant, email="expired@x.example", expires_at=now - day)
    InvitationFactory(tenant=tenant, email="accepted@x.example", accepted_at=now, revoked_at=now)
    InvitationFactory(tenant=tenant, email="revoked@x.example", revoked_at=now)
    statuses = {
        i["email"]: i["status"] for i in admin_api.get("/api/v1/invites/").json()["results"]
    }
    assert statuses == {
        "open@x.example": "open",
        "expired@x.example": "expired",
        "accepted@x.example": "accepted",
        "revoked@x.example": "revoked",
    }
    with tenant_scope(tenant):
        exactly = Invitation.objects.get(email="open@x.example")
    exactly.expires_at = timezone.now()
    assert exactly.is_expired


# --- what a new invitation replaces, and what a join refuses ---------------------------------


def test_a_new_invitation_leaves_a_revoked_or_accepted_one_as_it_was(tenant, actor, send):
    revoked, _ = send("back@example.com")
    with tenant_scope(tenant):
        invitation_revoke(invitation=revoked, actor=actor)
        revoked_at = Invitation.objects.get(pk=revoked.pk).revoked_at
    accepted, token = send("joined@example.com")
    membership = invitation_accept(token=token, password=PASSWORD, first_name="Jo")
    with tenant_scope(tenant):
        Membership.objects.filter(pk=membership.pk).update(is_active=False)
    send("back@example.com")
    send("joined@example.com")
    with tenant_scope(tenant):
        assert Invitation.objects.get(pk=revoked.pk).revoked_at == revoked_at
        assert Invitation.objects.get(pk=accepted.pk).revoked_at is None
    revocations = [
        (e.target_id, e.changes["reason"])
        for e in invitation_entries(tenant)
        if e.action == "invitation.revoked"
    ]
    assert revocations == [(str(revoked.pk), "")]  # the admin's own, none "replaced"


SIMILAR = "The password is too similar to the {}."


@pytest.mark.parametrize(
    ("names", "password", "message"),
    [
        (("Bartholomew", "Rossi"), "bartholomew-x", SIMILAR.format("first name")),
        (("Nia", "Vandersloot"), "vandersloot-x", SIMILAR.format("last name")),
        (("Nia", "Rossi"), "similarity@example.com", SIMILAR.format("e-mail address")),
    ],
)
def test_a_new_persons_password_may_not_resemble_their_name_or_address(
    tenant, send, names, password, message
):
    _, token = send("similarity@example.com")
    first_name, last_name = names
    with pytest.raises(InvalidSettings) as weak:
        invitation_accept(
            token=token, password=password, first_name=first_name, last_name=last_name
        )
    assert weak.value.errors == {"password": [message]}
    assert not get_user_model().objects.filter(email="similarity@example.com").exists()


def test_a_link_resent_meanwhile_is_refused_at_the_join(tenant, actor, send, monkeypatch):
    invitation, token = send("resent@example.com")
    found = invitation_from_token(token)
    with tenant_scope(tenant):  # the admin resends between the read and the join: still open
        invitation_resend(invitation=invitation, actor=actor)
    monkeypatch.setattr(services, "invitation_from_token", lambda token: found)
    with pytest.raises(InvitationRefused) as refused:
        invitation_accept(token=token, password=PASSWORD, first_name="R")
    assert refused.value.detail == LINK_REFUSED
    with tenant_scope(tenant):
        assert Invitation.objects.get(pk=invitation.pk).is_open
        assert not Membership.objects.filter(user__email="resent@example.com").exists()
