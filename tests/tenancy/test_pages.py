import re

import pytest
from django.core import mail
from django.test import Client

from smarketing.tenancy.roles import Role

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"


def login(client: Client, email: str, password: str = PASSWORD):
    return client.post("/accounts/login/", {"username": email, "password": password})


def test_login_with_email_lands_on_the_users_tenant(tenant, member):
    user = member(tenant, Role.SALES_REP)
    client = Client()
    response = login(client, user.email.upper())
    assert response.status_code == 302
    response = client.get(response["Location"], follow=True)
    assert response.redirect_chain[-1][0] == f"/t/{tenant.slug}/"
    assert tenant.name in response.content.decode()


def test_a_wrong_password_shows_a_message_and_does_not_log_in(tenant, member):
    user = member(tenant, Role.SALES_REP)
    response = login(Client(), user.email, "wrong")
    assert response.status_code == 200
    assert "didn't match" in response.content.decode()


def test_repeated_failed_logins_lock_the_account_out(tenant, member, settings):
    user = member(tenant, Role.MARKETER)
    client = Client()
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        # Changing the case of the e-mail does not buy more tries.
        email = user.email.upper() if attempt % 2 else user.email
        login(client, email, "wrong")
    response = login(client, user.email)  # even the right password is refused now
    assert response.status_code == 429
    assert "Too many failed logins" in response.content.decode()


def test_password_reset_sends_a_link_that_sets_a_new_password(tenant, member):
    user = member(tenant, Role.MARKETER)
    client = Client()
    client.post("/accounts/password_reset/", {"email": user.email})
    assert len(mail.outbox) == 1
    link = re.search(r"/accounts/reset/\S+/", mail.outbox[0].body).group(0)
    form_url = client.get(link, follow=True).redirect_chain[-1][0]
    client.post(form_url, {"new_password1": "n3w-Passw0rd!x", "new_password2": "n3w-Passw0rd!x"})
    assert login(Client(), user.email, "n3w-Passw0rd!x").status_code == 302


def test_forms_are_protected_by_csrf(tenant, member):
    user = member(tenant, Role.MARKETER)
    strict = Client(enforce_csrf_checks=True)
    assert login(strict, user.email).status_code == 403


def test_a_tenant_page_of_a_tenant_without_membership_is_404(tenant, other_tenant, member, client):
    client.force_login(member(tenant, Role.ADMIN))
    assert client.get(f"/t/{other_tenant.slug}/").status_code == 404
    assert client.get("/t/does-not-exist/").status_code == 404


def test_anonymous_visitors_are_sent_to_login(tenant):
    response = Client().get(f"/t/{tenant.slug}/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_a_user_in_two_tenants_gets_a_switcher_and_can_switch(tenant, other_tenant, member, client):
    user = member(tenant, Role.MARKETER)
    from tests.factories import MembershipFactory

    MembershipFactory(tenant=other_tenant, user=user, role=Role.MANAGER)
    client.force_login(user)
    page = client.get(f"/t/{tenant.slug}/").content.decode()
    assert 'aria-label="Switch tenant"' in page and other_tenant.name in page
    response = client.post("/switch-tenant/", {"tenant": other_tenant.slug})
    assert response["Location"] == f"/t/{other_tenant.slug}/"
    assert client.get("/").headers["Location"] == f"/t/{other_tenant.slug}/"
