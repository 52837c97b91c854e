"""What the operator's commands say: what they made, what they refused and why, and their help
(smarketing/tenancy/management/)."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from smarketing.tenancy.models import ApiKey, Membership, Tenant
from smarketing.tenancy.roles import Role
from tests.factories import TenantFactory

pytestmark = pytest.mark.django_db


def _run(*args) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_create_api_key_names_the_key_after_its_owner_and_says_it_is_shown_once(tenant, member):
    person = member(tenant, Role.MARKETER, email="owner@example.com")
    out, err = _run("create_api_key", "--tenant", "acme", "--user", "OWNER@example.com")
    key = ApiKey.all_tenants.get(user=person)
    assert key.name == "owner@example.com key" and out == f"{out.strip()}\n"
    assert err == (
        f"Created user key '{key.prefix}' for acme. "
        "It is stored hashed and will not be shown again.\n"
    )
    out, err = _run("create_api_key", "--tenant", "acme", "--integration")
    assert ApiKey.all_tenants.filter(name="integration", user=None).exists()
    assert err.startswith("Created integration key ")


def test_create_api_key_names_what_it_cannot_find(tenant):
    with pytest.raises(CommandError) as no_tenant:
        _run("create_api_key", "--tenant", "nope", "--integration")
    assert str(no_tenant.value) == "No tenant with slug 'nope'."
    with pytest.raises(CommandError) as no_user:
        _run("create_api_key", "--tenant", "acme", "--user", "ghost@example.com")
    assert str(no_user.value) == "No user 'ghost@example.com'."
    _run("create_api_key", "--tenant", "acme", "--integration", "--name", "dup")
    with pytest.raises(CommandError) as dup:
        _run("create_api_key", "--tenant", "acme", "--integration", "--name", "dup")
    assert str(dup.value) == "An API key named 'dup' exists already."


def test_create_user_and_create_tenant_explain_a_refusal():
    TenantFactory(slug="acme")
    with pytest.raises(CommandError) as no_tenant:
        _run("create_user", "a@example.com", "--tenant", "nope", "--role", "admin")
    assert str(no_tenant.value) == "No tenant with slug 'nope'."
    out, _ = _run("create_user", "A@example.com", "--tenant", "acme", "--role", "admin")
    assert out == "a@example.com\n"
    with pytest.raises(CommandError) as taken:
        _run("create_tenant", "acme", "--name", "Again")
    assert str(taken.value) == "A tenant with slug 'acme' exists already."
    out, _ = _run("create_tenant", "beta", "--name", "Beta")
    assert out == "beta\n"
    beta = Tenant.objects.get(slug="beta")
    assert (beta.timezone, beta.country) == ("UTC", "")


def test_bootstrap_makes_the_demo_tenant_and_admin_once(monkeypatch):
    from smarketing.tenancy.management.commands import bootstrap

    seeded = []
    monkeypatch.setattr(bootstrap, "call_command", lambda *a, **k: seeded.append((a, k)))
    out, _ = _run("bootstrap")
    tenant = Tenant.objects.get(slug="acme")
    assert (tenant.name, tenant.timezone, tenant.country) == ("Acme Robotics", "Europe/Rome", "IT")
    admin = Membership.all_tenants.get(tenant=tenant)
    assert admin.role == Role.ADMIN and admin.user.email == "admin@acme.example"
    assert admin.user.check_password("smarketing-demo")
    assert seeded == [(("seed_demo",), {"tenant": "acme"})]
    assert out == (
        "\nSmarketing is starting on http://127.0.0.1:8000\n"
        "Log in at http://127.0.0.1:8000/accounts/login/ as admin@acme.example "
        "with password 'smarketing-demo'\n"
    )
    _run("bootstrap")  # a second start changes nothing
    assert Tenant.objects.count() == 1 and len(seeded) == 1


@pytest.mark.parametrize(
    ("command", "texts"),
    [
        (
            "bootstrap",
            [
                "Skip the demo data.",
                "Where the server listens (printed).",
                "On an empty database, create a first tenant and its admin",
            ],
        ),
        (
            "create_tenant",
            [
                "ISO 3166 alpha-2, for public holidays",
                "Create a tenant with a default business calendar",
            ],
        ),
        ("create_api_key", ["Issue an API key. A user key acts as that user"]),
        ("create_user", ["Create a user (or take an existing one) and give it a role"]),
    ],
)
def test_each_command_explains_itself(command, texts):
    from django.core.management import load_command_class

    help_text = " ".join(
        load_command_class("smarketing.tenancy", command)
        .create_parser("manage.py", command)
        .format_help()
        .split()
    )
    for text in texts:
        assert text in help_text


def test_bootstrap_says_where_it_listens_by_default(monkeypatch):
    from smarketing.tenancy.management.commands import bootstrap

    monkeypatch.setattr(bootstrap, "call_command", lambda *a, **k: None)
    out, _ = _run("bootstrap", "--no-demo")
    assert "Smarketing is starting on http://127.0.0.1:8000\n" in out


def test_create_tenant_names_every_problem_at_once():
    with pytest.raises(CommandError) as refused:
        _run("create_tenant", "no spaces", "--name", "n" * 201)
    assert "; " in str(refused.value)
    assert str(refused.value).count("; ") == 1


def test_create_user_sets_the_password_given():
    TenantFactory(slug="acme")
    _run(
        "create_user",
        "pw@example.com",
        "--tenant",
        "acme",
        "--role",
        "marketer",
        "--password",
        "s3cret-pass-1",
    )
    user = Membership.all_tenants.get(user__email="pw@example.com").user
    assert user.check_password("s3cret-pass-1")


def test_bootstrap_without_demo_data_seeds_nothing(monkeypatch):
    from smarketing.tenancy.management.commands import bootstrap

    seeded = []
    monkeypatch.setattr(bootstrap, "call_command", lambda *a, **k: seeded.append(a))
    _run("bootstrap", "--no-demo")
    assert Tenant.objects.filter(slug="acme").exists() and seeded == []


@pytest.mark.parametrize(
    ("args", "problem"),
    [
        (["create_api_key", "--tenant", "acme"], "one of the arguments --user --integration"),
        (["create_api_key", "--integration"], "the following arguments are required: --tenant"),
        (["create_user", "a@example.com", "--tenant", "acme"], "required: --role"),
        (["create_user", "a@example.com", "--role", "admin"], "required: --tenant"),
        (
            ["create_user", "a@example.com", "--tenant", "acme", "--role", "owner"],
            "argument --role: invalid choice: 'owner'",
        ),
        (["create_tenant", "acme"], "required: --name"),
    ],
)
def test_the_commands_name_a_missing_or_wrong_argument(args, problem):
    TenantFactory(slug="acme")
    with pytest.raises(CommandError) as refused:
        _run(*args)
    assert problem in str(refused.value)


def test_the_api_key_command_shows_the_owner_as_an_email_in_its_help():
    from django.core.management import load_command_class

    parser = load_command_class("smarketing.tenancy", "create_api_key").create_parser(
        "manage.py", "create_api_key"
    )
    assert "--user EMAIL" in parser.format_help()
    assert "--name NAME" in parser.format_help()
