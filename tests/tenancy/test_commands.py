from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from rest_framework.test import APIClient

from smarketing.tenancy.models import ApiKey, Membership, Tenant, hash_key
from tests.factories import TenantFactory

pytestmark = pytest.mark.django_db


def run(*args, **options) -> str:
    out = StringIO()
    call_command(*args, stdout=out, stderr=StringIO(), **options)
    return out.getvalue().strip()


def test_create_tenant_prints_the_slug_and_keeps_timezone_and_country():
    assert (
        run(
            "create_tenant",
            "acme",
            "--name",
            "Acme Robotics",
            "--timezone",
            "Europe/Rome",
            "--country",
            "it",
        )
        == "acme"
    )
    tenant = Tenant.objects.get(slug="acme")
    assert (tenant.name, tenant.timezone, tenant.country) == ("Acme Robotics", "Europe/Rome", "IT")


def test_create_tenant_refuses_an_unknown_timezone_clearly():
    with pytest.raises(CommandError, match="Unknown time zone"):
        run("create_tenant", "acme", "--name", "Acme", "--timezone", "Mars/Olympus")
    assert not Tenant.objects.exists()


def test_create_user_adds_an_existing_user_to_a_second_tenant():
    TenantFactory(slug="acme")
    TenantFactory(slug="globex")
    assert (
        run(
            "create_user",
            "Rep@Example.com",
            "--tenant",
            "acme",
            "--role",
            "sales_rep",
            "--password",
            "s3cret-pass",
        )
        == "rep@example.com"
    )
    run("create_user", "rep@example.com", "--tenant", "globex", "--role", "manager")
    roles = dict(
        Membership.all_tenants.filter(user__email="rep@example.com").values_list(
            "tenant__slug", "role"
        )
    )
    assert roles == {"acme": "sales_rep", "globex": "manager"}


def test_create_user_rejects_an_unknown_tenant():
    with pytest.raises(CommandError, match="No tenant"):
        run("create_user", "a@example.com", "--tenant", "nope", "--role", "admin")


def test_create_api_key_prints_the_key_alone_on_the_last_line_and_stores_only_its_hash():
    TenantFactory(slug="acme")
    run("create_user", "m@example.com", "--tenant", "acme", "--role", "marketer")
    raw_key = run("create_api_key", "--tenant", "acme", "--user", "m@example.com").splitlines()[-1]
    stored = ApiKey.all_tenants.get()
    assert raw_key.startswith("smk_") and stored.hashed_key == hash_key(raw_key)
    assert raw_key not in {stored.hashed_key, stored.prefix, stored.name}

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw_key}")
    me = client.get("/api/v1/me/").json()
    assert me == {"tenant": "acme", "role": "marketer", "email": "m@example.com"}


def test_an_integration_key_acts_with_the_integration_role():
    TenantFactory(slug="acme")
    raw_key = run("create_api_key", "--tenant", "acme", "--integration", "--name", "zapier")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw_key}")
    assert client.get("/api/v1/me/").json() == {
        "tenant": "acme",
        "role": "integration",
        "email": None,
    }


def test_create_api_key_needs_a_member_user():
    TenantFactory(slug="acme")
    TenantFactory(slug="globex")
    run("create_user", "m@example.com", "--tenant", "globex", "--role", "marketer")
    with pytest.raises(CommandError, match="not a member"):
        run("create_api_key", "--tenant", "acme", "--user", "m@example.com")


def test_bootstrap_prints_the_address_the_server_listens_on(db):
    out = StringIO()
    call_command("bootstrap", "--no-demo", "--url", "http://127.0.0.1:8011", stdout=out)
    assert "starting on http://127.0.0.1:8011\n" in out.getvalue()
    assert "http://127.0.0.1:8011/accounts/login/" in out.getvalue()
    assert ":8000" not in out.getvalue()


def test_bootstrap_leaves_the_sqlite_planner_its_statistics(db):
    if connection.vendor != "sqlite":
        pytest.skip("the demo's embedded SQLite only: PostgreSQL gathers its own statistics")
    call_command("bootstrap", "--no-demo", stdout=StringIO())
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM sqlite_stat1 WHERE tbl = 'tenancy_membership'")
        assert cursor.fetchone()[0] > 0
