from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from smarketing.tenancy.models import Invitation, Membership
from smarketing.tenancy.roles import Role
from smarketing.tenancy.scope import tenant_scope
from tests.factories import UserFactory
from tests.team.inviting import last_link_token

pytestmark = pytest.mark.django_db


@pytest.fixture
def invite(admin_api, django_capture_on_commit_callbacks):
    """invite(email, role) -> the token of the link in the e-mail sent."""

    def send(email, role="sales_rep"):
        with django_capture_on_commit_callbacks(execute=True):
            response = admin_api.post(
                "/api/v1/invites/", {"email": email, "role": role}, format="json"
            )
        assert response.status_code == 201, response.json()
        return last_link_token()

    return send


def test_invitee_sets_name_and_password_and_joins_with_the_role(tenant, invite):
    token = invite("new.rep@example.com")
    assert mail.outbox[-1].to == ["new.rep@example.com"]
    client = Client()
    page = client.get(f"/invite/{token}/")
    assert page.status_code == 200 and "Choose a password" in page.content.decode()
    weak = client.post(f"/invite/{token}/", {"first_name": "Nia", "password": "123"})
    assert weak.status_code == 400 and "field-error" in weak.content.decode()
    joined = client.post(
        f"/invite/{token}/",
        {"first_name": "Nia", "last_name": "Rossi", "password": "a-long-enough-passphrase"},
    )
    assert joined.status_code == 302 and joined["Location"] == f"/t/{tenant.slug}/queue/"
    with tenant_scope(tenant):
        membership = Membership.objects.select_related("user").get(
            user__email="new.rep@example.com"
        )
    assert membership.role == Role.SALES_REP and membership.user.first_name == "Nia"
    assert client.get(f"/t/{tenant.slug}/queue/").status_code == 200


def test_a_link_works_once(tenant, invite):
    token = invite("once@example.com")
    Client().post(f"/invite/{token}/", {"first_name": "A", "password": "a-long-enough-passphrase"})
    again = Client().get(f"/invite/{token}/")
    assert again.status_code == 410 and "not valid" in again.content.decode()


def test_wrong_expired_and_replaced_links_say_the_same_thing(tenant, invite, admin_api):
    UserFactory(email="has.account@example.com")
    token = invite("has.account@example.com")
    tampered = token[:-3] + ("abc" if not token.endswith("abc") else "xyz")
    replaced = invite("other@example.com")
    invite("other@example.com")  # a second invitation replaces the first link
    with tenant_scope(tenant):
        Invitation.objects.filter(email="has.account@example.com").update(
            expires_at=timezone.now() - timedelta(minutes=1)
        )
    answers = {
        Client().get(f"/invite/{t}/").content.decode().split('role="alert">')[1][:80]
        for t in (tampered, replaced, token, "garbage")
    }
    assert len(answers) == 1


def test_an_existing_account_joins_with_its_password(tenant, invite, other_tenant, member):
    person = member(other_tenant, Role.MARKETER)
    token = invite(person.email, "marketer")
    client = Client()
    assert "confirm with its password" in client.get(f"/invite/{token}/").content.decode()
    wrong = client.post(f"/invite/{token}/", {"password": "not-it"})
    assert wrong.status_code == 400
    client.post(f"/invite/{token}/", {"password": "correct-horse-battery"})
    with tenant_scope(tenant):
        assert Membership.objects.get(user=person).role == "marketer"


def test_inviting_a_member_is_refused_clearly(tenant, admin_api, member):
    rep = member(tenant, Role.SALES_REP)
    response = admin_api.post(
        "/api/v1/invites/", {"email": rep.email.upper(), "role": "admin"}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["errors"]["email"] == [f"{rep.email} is already a member of Acme."]


def test_resend_replaces_the_link_and_revoke_kills_it(
    tenant, invite, admin_api, django_capture_on_commit_callbacks
):
    first = invite("late@example.com")
    with tenant_scope(tenant):
        pk = Invitation.objects.get(email="late@example.com").pk
    with django_capture_on_commit_callbacks(execute=True):
        assert admin_api.post(f"/api/v1/invites/{pk}/resend/").status_code == 200
    second = last_link_token()
    assert Client().get(f"/invite/{first}/").status_code == 410
    assert Client().get(f"/invite/{second}/").status_code == 200
    assert admin_api.delete(f"/api/v1/invites/{pk}/").json()["status"] == "revoked"
    assert Client().get(f"/invite/{second}/").status_code == 410


def test_only_admins_invite(tenant, api_client_for):
    client = api_client_for(tenant, Role.MANAGER)
    response = client.post(
        "/api/v1/invites/", {"email": "x@example.com", "role": "admin"}, format="json"
    )
    assert response.status_code == 403


def test_guessing_an_accounts_password_on_the_invitation_page_locks_out_like_login(
    tenant, invite, other_tenant, member, settings
):
    person = member(other_tenant, Role.MARKETER)
    token = invite(person.email, "marketer")
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        assert client.post(f"/invite/{token}/", {"password": "guess"}).status_code in (400, 429)
    # Locked out: even the right password does not join now.
    locked = client.post(f"/invite/{token}/", {"password": "correct-horse-battery"})
    assert locked.status_code == 429
    with tenant_scope(tenant):
        assert not Membership.objects.filter(user=person).exists()


def test_the_members_page_shows_an_invitation_refusal_beside_the_address(tenant, admin, member):
    rep = member(tenant, Role.SALES_REP)
    client = Client()
    client.force_login(admin)
    page = client.post(
        f"/t/{tenant.slug}/settings/members/", {"email": rep.email, "role": "manager"}
    )
    assert page.status_code == 400
    error = page.content.decode().split('id="invite-email-error">')[1].split("<")[0]
    assert error == f"{rep.email} is already a member of Acme."
    manager = Client()
    manager.force_login(member(tenant, Role.MANAGER))
    assert (
        manager.post(
            f"/t/{tenant.slug}/settings/members/", {"email": "x@example.com", "role": "admin"}
        ).status_code
        == 403
    )
