"""Login lock-out: counted per account however the e-mail is spelt, per client address as the
trusted proxy reports it, and a lock-out page that says what to do."""

import re

import pytest
from django.core import mail
from django.test import Client, RequestFactory

from smarketing.accounts.lockout import client_ip, lockout_username
from smarketing.tenancy.roles import Role

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"


def login(client: Client, email: str, password: str = PASSWORD):
    return client.post("/accounts/login/", {"username": email, "password": password})


def lock(client: Client, email: str, limit: int) -> None:
    for _ in range(limit):
        assert login(client, email, "wrong").status_code in (200, 429)


@pytest.mark.postgres
@pytest.mark.parametrize(
    "look_alike",
    ["l\u0131sa@acme.example", "li\u017fa@acme.example", "LISA@ACME.EXAMPLE"],
    ids=["dotless i", "long s", "capitals"],
)
def test_a_locked_account_stays_locked_under_a_look_alike_spelling(
    tenant, member, settings, look_alike
):
    # PostgreSQL matches e-mails case-insensitively with Unicode folding: the dotless i
    # (U+0131) upper-cases to "I". (The login form already folds the long s, U+017F, by NFKC.)
    member(tenant, Role.MARKETER, email="lisa@acme.example")
    client = Client()
    assert login(client, look_alike).status_code == 302  # the spelling does sign in
    client = Client()
    lock(client, "lisa@acme.example", settings.AXES_FAILURE_LIMIT)
    response = login(client, look_alike)  # right password, other spelling
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


@pytest.mark.postgres
def test_failures_under_different_spellings_count_against_one_account(tenant, member, settings):
    member(tenant, Role.MARKETER, email="rita@acme.example")
    client = Client()
    spellings = ["r\u0131ta@acme.example", "RITA@acme.example", "rita@acme.example"]
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        login(client, spellings[attempt % len(spellings)], "wrong")
    assert login(client, "rita@acme.example").status_code == 429


def test_the_lockout_key_is_the_resolved_account(tenant, member):
    member(tenant, Role.MARKETER, email="sara@acme.example")
    request = RequestFactory().post("/accounts/login/")
    assert lockout_username(request, {"username": " Sara@Acme.Example "}) == "sara@acme.example"
    assert lockout_username(request, {"username": "NOBODY@acme.example"}) == "nobody@acme.example"
    assert lockout_username(request, {"username": ""}) is None


def test_the_lockout_page_says_how_long_to_wait_and_links_the_password_reset(
    tenant, member, settings
):
    settings.AXES_COOLOFF_TIME = 0.25
    user = member(tenant, Role.MARKETER)
    client = Client()
    lock(client, user.email, settings.AXES_FAILURE_LIMIT)
    response = login(client, user.email)
    assert response.status_code == 429
    text = response.content.decode()
    assert "Wait 15 minutes" in text
    assert 'href="/accounts/password_reset/"' in text


def test_a_direct_client_address_is_the_socket_address(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    request = RequestFactory().post(
        "/accounts/login/", REMOTE_ADDR="198.51.100.7", HTTP_X_FORWARDED_FOR="6.6.6.6"
    )
    assert client_ip(request) == "198.51.100.7"  # a client cannot choose its address


def test_behind_one_proxy_the_client_address_is_the_one_the_proxy_appended(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.CLIENT_IP_HEADER = "HTTP_X_FORWARDED_FOR"
    spoofed = RequestFactory().post(
        "/accounts/login/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.9"
    )
    assert client_ip(spoofed) == "203.0.113.9"
    plain = RequestFactory().post(
        "/accounts/login/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.9"
    )
    assert client_ip(plain) == "203.0.113.9"


def test_behind_a_proxy_one_clients_failures_do_not_lock_out_another(tenant, member, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.CLIENT_IP_HEADER = "HTTP_X_FORWARDED_FOR"
    user = member(tenant, Role.MARKETER)
    attacker, owner = Client(REMOTE_ADDR="10.0.0.2"), Client(REMOTE_ADDR="10.0.0.2")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        attacker.post(
            "/accounts/login/",
            {"username": user.email, "password": "wrong"},
            HTTP_X_FORWARDED_FOR="203.0.113.66",
        )
    locked = attacker.post(
        "/accounts/login/",
        {"username": user.email, "password": PASSWORD},
        HTTP_X_FORWARDED_FOR="203.0.113.66",
    )
    assert locked.status_code == 429
    allowed = owner.post(
        "/accounts/login/",
        {"username": user.email, "password": PASSWORD},
        HTTP_X_FORWARDED_FOR="198.51.100.20",
    )
    assert allowed.status_code == 302


def test_resetting_the_password_lifts_the_lockout(tenant, member, settings):
    user = member(tenant, Role.MARKETER)
    client = Client()
    lock(client, user.email, settings.AXES_FAILURE_LIMIT)
    assert login(client, user.email).status_code == 429

    client.post("/accounts/password_reset/", {"email": user.email})
    link = re.search(r"/accounts/reset/\S+/", mail.outbox[0].body).group(0)
    form_url = client.get(link, follow=True).redirect_chain[-1][0]
    done = client.post(
        form_url, {"new_password1": "n3w-Passw0rd!x", "new_password2": "n3w-Passw0rd!x"}
    )
    assert done.status_code == 302
    assert login(client, user.email, "n3w-Passw0rd!x").status_code == 302
