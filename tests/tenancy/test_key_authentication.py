"""API keys: what each wrong header is told, who a key acts as, when its use is recorded, and
what a worker keeps of a key (smarketing/tenancy/authentication.py and credentials.py)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from smarketing.tenancy import credentials, kept
from smarketing.tenancy.authentication import ApiKeyAuthentication, IntegrationPrincipal
from smarketing.tenancy.models import ApiKey, Membership, hash_key
from smarketing.tenancy.roles import INTEGRATION, Role
from smarketing.tenancy.scope import tenant_scope
from tests.factories import ApiKeyFactory, MembershipFactory
from tests.tenancy.fake_redis import FakeRedis
from tests.tenancy.kept import credentials_committed

pytestmark = pytest.mark.django_db

INVALID = "Invalid or revoked API key."
NOT_OURS = "This is not a Smarketing API key."


def _me(header: str | None):
    client = APIClient()
    if header is not None:
        client.credentials(HTTP_AUTHORIZATION=header)
    return client.get("/api/v1/me/")


def _refused(response, code: str, detail: str) -> None:
    assert response.status_code == 401
    body = response.json()
    assert (body["code"], body["detail"]) == (code, detail)
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'


@pytest.fixture
def key(tenant, member):
    return ApiKeyFactory.issue(tenant=tenant, user=member(tenant, Role.MARKETER))


def test_no_header_or_another_scheme_is_no_credential_at_all(key):
    missing = "Authentication credentials were not provided."
    _refused(_me(None), "not_authenticated", missing)
    _refused(_me(""), "not_authenticated", missing)
    _refused(_me(f"Basic {key.raw_key}"), "not_authenticated", missing)
    _refused(_me(f"Token {key.raw_key}"), "not_authenticated", missing)


def test_the_scheme_is_read_in_any_case(key):
    assert _me(f"bearer {key.raw_key}").status_code == 200
    assert _me(f"BEARER {key.raw_key}").status_code == 200


def test_a_header_in_pieces_says_how_to_send_it(key):
    how = "Send the header as 'Authorization: Bearer <api key>'."
    _refused(_me("Bearer"), "authentication_failed", how)
    _refused(_me(f"Bearer {key.raw_key} extra"), "authentication_failed", how)


@pytest.mark.parametrize(
    "raw", ["abc", "smk_", "smk__secret", "xyz_0123456789ab_secret", "smkx_0123_secret"]
)
def test_what_is_no_smarketing_key_is_told_so(key, raw):
    _refused(_me(f"Bearer {raw}"), "authentication_failed", NOT_OURS)


def test_an_unknown_a_wrong_and_a_revoked_key_are_told_the_same(key, tenant):
    prefix = key.api_key.prefix
    _refused(_me(f"Bearer smk_ffffffffffff_{'x' * 32}"), "authentication_failed", INVALID)
    _refused(_me(f"Bearer smk_{prefix}_{'x' * 32}"), "authentication_failed", INVALID)
    with tenant_scope(tenant):
        ApiKey.objects.filter(pk=key.api_key.pk).update(revoked_at=timezone.now())
    _refused(_me(f"Bearer {key.raw_key}"), "authentication_failed", INVALID)


def test_the_key_of_an_inactive_user_is_refused(key):
    user = key.api_key.user
    user.is_active = False
    user.save(update_fields=["is_active"])
    _refused(
        _me(f"Bearer {key.raw_key}"),
        "authentication_failed",
        "The user of this API key is inactive.",
    )


def test_the_key_of_a_person_who_left_the_tenant_is_refused(key, tenant):
    with tenant_scope(tenant):
        Membership.objects.filter(user=key.api_key.user).delete()
    response = _me(f"Bearer {key.raw_key}")
    _refused(response, "authentication_failed", "The user of this API key left the tenant.")


def test_a_user_key_acts_as_its_user_and_an_integration_key_as_no_one(key, tenant):
    me = _me(f"Bearer {key.raw_key}").json()
    assert me == {"tenant": tenant.slug, "role": "marketer", "email": key.api_key.user.email}
    integration = ApiKeyFactory.issue(tenant=tenant, name="CRM")
    principal, auth = ApiKeyAuthentication().authenticate(
        RequestFactory().get("/", HTTP_AUTHORIZATION=f"Bearer {integration.raw_key}")
    )
    assert isinstance(principal, IntegrationPrincipal) and auth.pk == integration.api_key.pk
    assert principal.email == "integration:CRM" and str(principal) == "integration:CRM"
    assert principal.is_authenticated and principal.pk is None
    assert auth.member_role == INTEGRATION


def test_a_use_is_recorded_again_once_a_minute_has_passed(key, clock, tenant):
    start = clock.set(timezone.now().replace(microsecond=0))
    header = f"Bearer {key.raw_key}"

    def last_used():
        with tenant_scope(tenant):
            return ApiKey.objects.get(pk=key.api_key.pk).last_used_at

    _me(header)
    assert last_used() == start
    clock.set(start + timedelta(seconds=59))
    _me(header)
    assert last_used() == start
    clock.set(start + timedelta(minutes=1))
    _me(header)
    assert last_used() == start + timedelta(minutes=1)


# --- what a worker keeps ----------------------------------------------------------------


@pytest.fixture
def kept_keys(key, monkeypatch, settings):
    settings.API_KEYS_KEPT_PER_WORKER = True
    client = FakeRedis()
    monkeypatch.setattr(kept, "shared_redis", lambda: client)
    credentials.forget_all()
    credentials_committed()  # what the arrangement changed has committed
    yield client
    credentials.forget_all()


def _kept(api_key):
    return credentials.kept(api_key.prefix, credentials.current_token())


def test_a_key_is_kept_with_its_role_and_its_last_use(kept_keys, key):
    header = f"Bearer {key.raw_key}"
    assert _me(header).status_code == 200
    found = _kept(key.api_key)
    assert found is not None
    kept_key, role = found
    assert (kept_key.pk, role) == (key.api_key.pk, Role.MARKETER)
    assert kept_key.last_used_at is not None  # kept again after the use was recorded
    with CaptureQueriesContext(connection) as queries:
        assert _me(header).json()["role"] == "marketer"
    statements = " ".join(q["sql"] for q in queries.captured_queries)
    assert "tenancy_apikey" not in statements and "tenancy_membership" not in statements


def test_a_kept_key_still_checks_its_secret(kept_keys, key):
    assert _me(f"Bearer {key.raw_key}").status_code == 200
    assert _kept(key.api_key) is not None
    forged = f"smk_{key.api_key.prefix}_{'y' * 32}"
    _refused(_me(f"Bearer {forged}"), "authentication_failed", INVALID)


def test_a_key_whose_user_left_is_not_kept(kept_keys, key, tenant):
    with tenant_scope(tenant):
        Membership.all_tenants.filter(user=key.api_key.user).delete()
    credentials.forget_all()
    assert _me(f"Bearer {key.raw_key}").status_code == 401
    assert _kept(key.api_key) is None
    credentials.keep("p", "t", ("key", None))
    assert credentials.kept("p", "t") is None
    credentials.keep("p", "t", ("key", "marketer"))
    assert credentials.kept("p", "t") == ("key", "marketer")


def _replacements() -> int:
    return sum(cb is credentials._replace_token for _, cb, _ in connection.run_on_commit)


def test_a_change_forgets_at_once_and_replaces_the_token_once_on_commit(
    kept_keys, key, django_capture_on_commit_callbacks
):
    token = credentials.current_token()
    _me(f"Bearer {key.raw_key}")
    assert _kept(key.api_key) is not None
    with django_capture_on_commit_callbacks(execute=True):
        credentials.credentials_changed()
        assert _kept(key.api_key) is None
        credentials.credentials_changed()
        assert _replacements() == 1
    assert credentials.current_token() != token


@pytest.mark.parametrize(
    ("change", "forgets"),
    [
        (lambda key, tenant: key.save(update_fields=["last_used_at"]), False),
        (lambda key, tenant: key.save(update_fields=["name"]), True),
        (lambda key, tenant: key.save(), True),
        (lambda key, tenant: tenant.save(update_fields=["name"]), True),
        (lambda key, tenant: _membership(key).save(update_fields=["is_away"]), False),
        (lambda key, tenant: _membership(key).save(update_fields=["role"]), True),
        (lambda key, tenant: _membership(key).delete(), True),
        (lambda key, tenant: key.delete(), True),
        (lambda key, tenant: tenant.delete(), True),
    ],
    ids=[
        "last use",
        "key name",
        "key",
        "tenant",
        "away",
        "role",
        "membership gone",
        "key gone",
        "tenant gone",
    ],
)
def test_what_invalidates_a_kept_key(kept_keys, key, tenant, change, forgets):
    _me(f"Bearer {key.raw_key}")
    assert _kept(key.api_key) is not None
    with tenant_scope(tenant):
        change(ApiKey.objects.get(pk=key.api_key.pk), tenant)
    assert (_kept(key.api_key) is None) is forgets
    assert (_replacements() == 1) is forgets


def test_a_new_row_changes_no_kept_key(kept_keys, key, tenant, other_tenant):
    _me(f"Bearer {key.raw_key}")
    MembershipFactory(tenant=other_tenant, user=key.api_key.user)
    ApiKeyFactory.issue(tenant=tenant, name="another")
    assert _kept(key.api_key) is not None and _replacements() == 0


def _membership(api_key) -> Membership:
    return Membership.objects.get(user=api_key.user)


def test_a_user_key_is_resolved_with_its_tenant_and_user_in_two_queries(key):
    header = f"Bearer {key.raw_key}"
    _me(header)  # the first use is recorded (an UPDATE); the next within a minute is not
    with CaptureQueriesContext(connection) as queries:
        assert _me(header).status_code == 200
    tables = [q["sql"].split(" FROM ")[1].split()[0].strip('"') for q in queries.captured_queries]
    assert tables == ["tenancy_apikey", "tenancy_membership"]


def test_a_secret_with_underscores_still_finds_its_key(tenant):
    raw = "smk_0123456789ab_se_cr_et"
    with tenant_scope(tenant):
        ApiKey.objects.create(
            tenant=tenant, name="odd", prefix="0123456789ab", hashed_key=hash_key(raw)
        )
    assert _me(f"Bearer {raw}").json()["role"] == "integration"
