"""Tenants, members and API keys as the services make them, and the reads about them
(smarketing/tenancy/services.py, selectors.py). The commands' words: test_command_messages.py."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.utils import timezone

from smarketing.errors import Forbidden
from smarketing.tenancy import services
from smarketing.tenancy.actors import Actor
from smarketing.tenancy.models import ApiKey, AuditEntry, Membership, Tenant, hash_key
from smarketing.tenancy.roles import Role
from smarketing.tenancy.scope import tenant_scope
from smarketing.tenancy.selectors import (
    member_list,
    members_of,
    membership_in,
    memberships_of,
    tenant_by_slug,
)
from smarketing.tenancy.services import api_key_create, api_key_revoke, member_add, tenant_create
from tests.factories import MembershipFactory, TenantFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(tenant, member):
    return member(tenant, Role.ADMIN, email="admin@acme.example")


def _messages(error: ValidationError) -> dict[str, list[str]]:
    return error.message_dict


# --- tenants -------------------------------------------------------------------------------


def test_a_tenant_is_made_with_its_timezone_and_an_upper_case_country(monkeypatch):
    published = []
    real = services.publish

    def record(event, **kwargs):
        published.append((event, kwargs["data"]))
        return real(event, **kwargs)

    monkeypatch.setattr(services, "publish", record)
    tenant = tenant_create(
        slug="initech", name="Initech", timezone_name="America/Chicago", country="us"
    )
    assert (tenant.slug, tenant.name, tenant.timezone, tenant.country) == (
        "initech",
        "Initech",
        "America/Chicago",
        "US",
    )
    assert published == [("tenant.created", {"slug": "initech"})]
    plain = tenant_create(slug="plain", name="Plain")
    assert (plain.timezone, plain.country) == ("UTC", "")


def test_a_tenant_needs_a_known_timezone_and_a_free_slug():
    with pytest.raises(ValidationError) as zone:
        tenant_create(slug="x", name="X", timezone_name="Mars/Olympus")
    assert _messages(zone.value) == {"timezone": ["Unknown time zone 'Mars/Olympus'."]}
    tenant_create(slug="taken", name="Taken")
    with pytest.raises(ValidationError) as slug:
        tenant_create(slug="taken", name="Again")
    assert _messages(slug.value) == {"slug": ["A tenant with slug 'taken' exists already."]}
    with pytest.raises(ValidationError) as bad:
        tenant_create(slug="no spaces", name="X")
    assert "slug" in _messages(bad.value)
    assert not Tenant.objects.filter(name__in=["X", "Again"]).exists()


# --- members (the operator's way) ------------------------------------------------------------


def _added(tenant) -> list[tuple]:
    with tenant_scope(tenant):
        return list(
            AuditEntry.objects.filter(action="member.added")
            .order_by("id")
            .values_list("target_label", "changes", "actor_label")
        )


def test_member_add_creates_the_user_and_audits_the_role(tenant):
    membership = member_add(
        tenant=tenant, email=" New@Example.COM ", role=Role.MARKETER, password="pw-123456789"
    )
    user = membership.user
    assert user.email == "new@example.com" and user.check_password("pw-123456789")
    assert membership.role == Role.MARKETER and membership.tenant_id == tenant.pk
    assert _added(tenant) == [("new@example.com", {"role": [None, "marketer"]}, "system")]


def test_member_add_changes_the_role_of_a_member_and_only_then_audits(tenant):
    member_add(tenant=tenant, email="m@example.com", role=Role.MARKETER)
    again = member_add(tenant=tenant, email="M@example.com", role=Role.MARKETER)
    assert again.role == Role.MARKETER
    changed = member_add(tenant=tenant, email="m@example.com", role=Role.MANAGER)
    with tenant_scope(tenant):
        assert Membership.objects.get(pk=changed.pk).role == Role.MANAGER
    assert [changes for _, changes, _ in _added(tenant)] == [
        {"role": [None, "marketer"]},
        {"role": ["marketer", "manager"]},
    ]


def test_member_add_sets_a_new_password_only_when_given(tenant):
    person = UserFactory(email="p@example.com")
    member_add(tenant=tenant, email="p@example.com", role=Role.SALES_REP)
    person.refresh_from_db()
    assert person.check_password("correct-horse-battery")
    member_add(tenant=tenant, email="p@example.com", role=Role.SALES_REP, password="n3w-pass-99")
    person.refresh_from_db()
    assert person.check_password("n3w-pass-99")


def test_member_add_without_a_password_leaves_the_account_without_one(tenant):
    membership = member_add(tenant=tenant, email="nopw@example.com", role=Role.SALES_REP)
    user = membership.user
    assert user.has_usable_password() is False and not user.check_password("")
    with tenant_scope(tenant):
        entry = AuditEntry.objects.get(action="member.added")
    assert (entry.target_type, entry.target_id, entry.target_label) == (
        "membership",
        str(membership.pk),
        "nopw@example.com",
    )
    assert (entry.actor_id, entry.actor_role, entry.tenant_id) == (None, "system", tenant.pk)


def test_member_add_refuses_an_unknown_role(tenant):
    with pytest.raises(ValidationError) as refused:
        member_add(tenant=tenant, email="x@example.com", role="owner")
    assert _messages(refused.value) == {
        "role": ["Unknown role 'owner'; use one of admin, manager, marketer, sales_rep."]
    }


# --- API keys ------------------------------------------------------------------------------


def test_a_key_is_issued_once_stored_hashed_and_audited(tenant, admin):
    actor = Actor(user=admin, role=Role.ADMIN, label=admin.email, ip="10.0.0.5")
    issued = api_key_create(tenant=tenant, name="  CRM  ", user=admin, actor=actor)
    key = issued.api_key
    assert key.name == "CRM" and key.user == admin and key.tenant_id == tenant.pk
    assert key.hashed_key == hash_key(issued.raw_key) and issued.raw_key.startswith(
        f"smk_{key.prefix}_"
    )
    assert len(key.prefix) == 12
    with tenant_scope(tenant):
        entry = AuditEntry.objects.get(action="api_key.created", target_id=str(key.pk))
    assert entry.changes == {
        "name": "CRM",
        "kind": "user",
        "user": admin.email,
        "prefix": key.prefix,
    }
    assert (entry.actor_label, entry.ip) == (admin.email, "10.0.0.5")
    integration = api_key_create(tenant=tenant, name="Zap")
    with tenant_scope(tenant):
        entry = AuditEntry.objects.get(
            action="api_key.created", target_id=str(integration.api_key.pk)
        )
    assert entry.changes["kind"] == "integration" and entry.changes["user"] is None
    assert entry.actor_label == "system"


@pytest.mark.parametrize("name", ["", "   ", None, "k" * 101])
def test_a_key_needs_a_name_of_at_most_a_hundred_characters(tenant, name):
    with pytest.raises(ValidationError) as refused:
        api_key_create(tenant=tenant, name=name)
    assert _messages(refused.value) == {"name": ["Give the key a name of at most 100 characters."]}


def test_a_name_of_a_hundred_characters_will_do_but_not_twice_in_any_case(tenant):
    api_key_create(tenant=tenant, name="k" * 100)
    with pytest.raises(ValidationError) as again:
        api_key_create(tenant=tenant, name="K" * 100)
    assert _messages(again.value) == {"name": [f"An API key named {'K' * 100!r} exists already."]}


def test_a_user_key_needs_an_active_member_of_this_tenant(tenant, other_tenant, member):
    member(tenant, Role.MARKETER)  # others being members here is no reason
    stranger = member(other_tenant, Role.ADMIN)
    with pytest.raises(ValidationError) as refused:
        api_key_create(tenant=tenant, name="x", user=stranger)
    assert _messages(refused.value) == {"user": [f"{stranger.email} is not a member of acme."]}
    leaver = member(tenant, Role.MARKETER)
    with tenant_scope(tenant):
        Membership.objects.filter(user=leaver).update(is_active=False)
    with pytest.raises(ValidationError):
        api_key_create(tenant=tenant, name="y", user=leaver)


@pytest.mark.parametrize("role", [Role.MANAGER, Role.MARKETER, Role.SALES_REP, "integration"])
def test_only_admins_and_the_operator_issue_or_revoke_keys(tenant, member, role):
    issued = api_key_create(tenant=tenant, name="ops")
    user = member(tenant, Role.MANAGER) if role != "integration" else None
    actor = Actor(user=user, role=role, label="someone")
    for attempt in (
        lambda: api_key_create(tenant=tenant, name="mine", actor=actor),
        lambda: api_key_revoke(api_key=issued.api_key, actor=actor),
    ):
        with pytest.raises(Forbidden) as refused:
            attempt()
        assert refused.value.detail == "Only admins manage API keys."
    with tenant_scope(tenant):
        assert ApiKey.objects.get(pk=issued.api_key.pk).revoked_at is None


def test_a_key_is_revoked_once_and_audited_once(tenant, admin):
    issued = api_key_create(tenant=tenant, name="CRM")
    actor = Actor.member(admin, Role.ADMIN)
    api_key_revoke(api_key=issued.api_key, actor=actor)
    with tenant_scope(tenant):
        first = ApiKey.objects.get(pk=issued.api_key.pk).revoked_at
    api_key_revoke(api_key=issued.api_key, actor=actor)
    with tenant_scope(tenant):
        assert ApiKey.objects.get(pk=issued.api_key.pk).revoked_at == first
        entries = list(AuditEntry.objects.filter(action="api_key.revoked"))
    assert first is not None and first <= timezone.now()
    assert len(entries) == 1 and entries[0].changes == {"name": "CRM"}
    assert entries[0].actor_label == admin.email and entries[0].target_id == str(issued.api_key.pk)
    api_key_revoke(api_key=api_key_create(tenant=tenant, name="ops").api_key)  # the operator


# --- reads ---------------------------------------------------------------------------------


def test_a_users_memberships_are_the_active_ones_by_tenant_name(member):
    zeta, alpha, gone = (
        TenantFactory(slug=s, name=n)
        for s, n in (("zeta", "Zeta"), ("alpha", "Alpha"), ("gone", "Gone"))
    )
    user = UserFactory()
    for tenant in (zeta, alpha):
        MembershipFactory(tenant=tenant, user=user)
    MembershipFactory(tenant=gone, user=user, is_active=False)
    assert [m.tenant.slug for m in memberships_of(user=user)] == ["alpha", "zeta"]
    assert membership_in(user=user, tenant=alpha).tenant_id == alpha.pk
    assert membership_in(user=user, tenant=gone) is None
    assert memberships_of(user=AnonymousUser()) == []
    assert membership_in(user=AnonymousUser(), tenant=alpha) is None
    unsaved = UserFactory.build()
    unsaved.is_authenticated  # noqa: B018  (a User is always authenticated)
    assert memberships_of(user=unsaved) == [] and membership_in(user=unsaved, tenant=alpha) is None
    assert tenant_by_slug(slug="alpha") == alpha and tenant_by_slug(slug="nope") is None


def test_members_are_listed_by_email_and_by_role(tenant, member):
    b = member(tenant, Role.SALES_REP, email="b@example.com")
    a = member(tenant, Role.MARKETER, email="a@example.com")
    c = member(tenant, Role.SALES_REP, email="c@example.com")
    with tenant_scope(tenant):
        Membership.objects.filter(user=a).update(is_active=False)
        assert [m.user for m in members_of(tenant=tenant)] == [b, c]
        assert [m.user for m in members_of(tenant=tenant, roles=[Role.MARKETER])] == []
        assert [m.user for m in members_of(tenant=tenant, roles={Role.SALES_REP})] == [b, c]
        assert [m.user for m in member_list(tenant=tenant)] == [b, c, a]


def test_the_reads_of_members_bring_their_users_and_tenants_along(
    tenant, other_tenant, member, django_assert_num_queries
):
    user = member(tenant, Role.MARKETER)
    MembershipFactory(tenant=other_tenant, user=user)
    member(tenant, Role.SALES_REP)
    with django_assert_num_queries(1):
        assert sorted(m.tenant.name for m in memberships_of(user=user)) == ["Acme", "Globex"]
    with tenant_scope(tenant):
        with django_assert_num_queries(1):
            assert len({m.user.email for m in members_of(tenant=tenant)}) == 2
        with django_assert_num_queries(1):
            assert len({m.user.email for m in member_list(tenant=tenant)}) == 2
