"""The invitation pages: the invitee's landing page, and resending or revoking from the members
page (smarketing/tenancy/pages/invites.py)."""

from __future__ import annotations

import pytest
from django.test import Client

from smarketing.tenancy.errors import InvitationRefused
from smarketing.tenancy.invitations import services
from smarketing.tenancy.invitations.services import (
    LINK_REFUSED,
    invitation_revoke,
)
from smarketing.tenancy.models import Invitation
from smarketing.tenancy.roles import Role
from smarketing.tenancy.scope import tenant_scope
from tests.team.inviting import PASSWORD, invitation_entries

pytestmark = pytest.mark.django_db


def test_the_invitees_page_refuses_a_dead_link_with_410(tenant, send):
    response = Client().get("/invite/garbage/")
    assert response.status_code == 410
    assert LINK_REFUSED in response.content.decode()


def test_the_invitees_page_signs_the_new_member_in_to_the_tenant(tenant, send):
    _, token = send("page@example.com", Role.MANAGER)
    client = Client()
    response = client.post(f"/invite/{token}/", {"first_name": "Pia", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/t/acme/"
    assert client.session["current_tenant"] == "acme"
    assert client.get("/t/acme/").status_code == 200


def test_the_invitees_page_shows_a_refusal_at_the_join_with_410(tenant, send, monkeypatch):
    _, token = send("late2@example.com")

    def spent(**kwargs):
        raise InvitationRefused(LINK_REFUSED)

    monkeypatch.setattr(services, "invitation_accept", spent)
    response = Client().post(f"/invite/{token}/", {"first_name": "A", "password": PASSWORD})
    assert response.status_code == 410 and LINK_REFUSED in response.content.decode()


def test_the_invitees_page_shows_field_errors_with_400(tenant, send):
    _, token = send("nameless@example.com")
    response = Client().post(f"/invite/{token}/", {"first_name": "", "password": PASSWORD})
    assert response.status_code == 400
    assert response.context["form"].errors == {"first_name": ["Tell us your first name."]}
    assert response.context["has_account"] is False
    assert Client().get(f"/invite/{token}/").status_code == 200


@pytest.mark.parametrize(
    ("action", "message"),
    [
        ("resend", "A new link was sent to act@example.com."),
        ("revoke", "The invitation of act@example.com is revoked."),
    ],
)
def test_an_admin_resends_or_revokes_from_the_members_page(tenant, admin, send, action, message):
    invitation, _ = send("act@example.com")
    client = Client()
    client.force_login(admin)
    response = client.post(f"/t/acme/settings/invites/{invitation.pk}/{action}/", follow=True)
    assert response.redirect_chain[0] == ("/t/acme/settings/members/", 302)
    assert message in response.content.decode()
    assert (
        invitation_entries(tenant)[-1].action
        == f"invitation.{'resent' if action == 'resend' else 'revoked'}"
    )


def test_the_members_page_explains_why_an_invitation_cannot_be_resent(tenant, admin, send, actor):
    invitation, _ = send("spent@example.com")
    with tenant_scope(tenant):
        invitation_revoke(invitation=invitation, actor=actor)
    client = Client()
    client.force_login(admin)
    response = client.post(f"/t/acme/settings/invites/{invitation.pk}/resend/", follow=True)
    assert "This invitation was accepted or revoked; invite again." in response.content.decode()


def test_other_roles_may_not_resend_or_revoke(tenant, member, send):
    invitation, _ = send("keep@example.com")
    client = Client()
    client.force_login(member(tenant, Role.MANAGER))
    for action in ("resend", "revoke"):
        assert client.post(f"/t/acme/settings/invites/{invitation.pk}/{action}/").status_code == 403
    with tenant_scope(tenant):
        assert Invitation.objects.get(pk=invitation.pk).is_open
