"""The tenant scope, the capability table and the actor: the small rules every request leans on."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory

from smarketing.tenancy import scope
from smarketing.tenancy.actors import Actor
from smarketing.tenancy.context_processors import tenancy
from smarketing.tenancy.models import Membership
from smarketing.tenancy.roles import (
    INTEGRATION,
    Role,
    has_capability,
    is_marketing_side,
    is_sales_side,
)
from smarketing.tenancy.scope import (
    TenantScopeError,
    cross_tenant_scope,
    current_scope,
    current_tenant_id,
    require_tenant_id,
    scope_sql,
    tenant_scope,
)
from smarketing.tenancy.templatetags.tenancy_tags import can

NO_SCOPE = (
    "No tenant scope: wrap the work in tenant_scope(tenant), "
    "or use Model.all_tenants for deliberate cross-tenant access."
)


# --- scope ---------------------------------------------------------------------------------


def test_outside_every_scope_there_is_no_tenant_and_the_error_says_what_to_do():
    with scope._scoped(None, cross_tenant=False):
        assert current_tenant_id() is None
        assert current_scope() == (None, False)
        with pytest.raises(TenantScopeError) as raised:
            require_tenant_id()
    assert str(raised.value) == NO_SCOPE


def test_a_tenant_scope_names_the_tenant_and_is_not_cross_tenant(tenant):
    with scope._scoped(None, cross_tenant=False):
        with tenant_scope(tenant):
            assert current_scope() == (tenant.pk, False)
            assert require_tenant_id() == tenant.pk
            with cross_tenant_scope():
                # Across tenants, the tenant scoped keeps its id (writes still name it).
                assert current_scope() == (tenant.pk, True)
            assert current_scope() == (tenant.pk, False)
        with tenant_scope(tenant.pk):  # an id does as well as the tenant
            assert current_scope() == (tenant.pk, False)
        assert current_scope() == (None, False)


def test_a_scope_is_restored_when_the_block_fails(tenant):
    with scope._scoped(None, cross_tenant=False):
        with pytest.raises(ZeroDivisionError), cross_tenant_scope(), tenant_scope(tenant):
            1 / 0  # noqa: B018
        assert current_scope() == (None, False)


@pytest.mark.parametrize(
    ("state", "sql"),
    [
        (scope.UNSCOPED, "RESET app.tenant_id; RESET app.cross_tenant"),
        (
            (7, False),
            "SELECT set_config('app.tenant_id', '7', false), "
            "set_config('app.cross_tenant', 'off', false)",
        ),
        (
            (None, True),
            "SELECT set_config('app.tenant_id', '', false), "
            "set_config('app.cross_tenant', 'on', false)",
        ),
        (
            (12, True),
            "SELECT set_config('app.tenant_id', '12', false), "
            "set_config('app.cross_tenant', 'on', false)",
        ),
    ],
)
def test_the_session_settings_of_each_scope(state, sql):
    assert scope_sql(state) == sql


def test_the_scope_is_applied_now_through_the_connection_that_can():
    calls = []

    class Conn:
        def ensure_connection(self):
            calls.append("connect")

        def apply_scope(self):
            calls.append("apply")

    scope.apply_scope_now(Conn())
    assert calls == ["connect", "apply"]

    class Plain:  # SQLite: nothing to apply, and nothing is asked of it
        def ensure_connection(self):
            calls.append("plain")

    scope.apply_scope_now(Plain())
    assert calls == ["connect", "apply"]


@pytest.mark.django_db
def test_an_empty_queryset_needs_no_scope():
    with scope._scoped(None, cross_tenant=False):
        assert list(Membership.objects.none()) == []
        with pytest.raises(TenantScopeError):
            Membership.objects.count()


# --- roles ---------------------------------------------------------------------------------


def test_no_role_may_do_nothing_and_an_unknown_capability_is_a_programming_error():
    assert has_capability(None, "read") is False
    assert has_capability(Role.ADMIN, "tenant.admin") is True
    assert has_capability(Role.MANAGER, "tenant.admin") is False
    assert has_capability(INTEGRATION, "read") is True
    assert has_capability(INTEGRATION, "leads.edit") is False
    with pytest.raises(KeyError) as raised:
        has_capability(Role.ADMIN, "leads.fly")
    assert raised.value.args[0] == "Unknown capability 'leads.fly'; add it to CAPABILITIES."


def test_each_role_is_on_one_side_at_most():
    assert is_marketing_side(Role.MARKETER) and not is_marketing_side(Role.SALES_REP)
    assert is_sales_side(Role.SALES_REP) and not is_sales_side(Role.MARKETER)
    assert not is_marketing_side(Role.MANAGER) and not is_sales_side(Role.ADMIN)


def test_templates_ask_the_same_table():
    assert can(Role.ADMIN, "webhooks.manage") is True
    assert can(Role.MANAGER, "webhooks.manage") is False
    assert can(None, "read") is False


# --- actors --------------------------------------------------------------------------------


class _User:
    pk = 41
    email = "ana@acme.example"
    is_authenticated = True

    def __str__(self):
        return "integration:CRM"


def test_the_system_and_a_member_as_actors():
    system = Actor.system()
    assert (system.user, system.role, system.label, system.ip) == (None, "system", "system", None)
    assert system.is_system and system.user_id is None
    member = Actor.member(_User(), Role.MARKETER)
    assert (member.role, member.label, member.user_id) == (Role.MARKETER, "ana@acme.example", 41)
    assert not member.is_system


def test_the_actor_of_a_request_carries_its_address(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    request = RequestFactory().get("/", REMOTE_ADDR="198.51.100.4")
    request.user, request.role = _User(), Role.MANAGER
    actor = Actor.from_request(request)
    assert actor == Actor(
        user=request.user, role=Role.MANAGER, label="ana@acme.example", ip="198.51.100.4"
    )
    request.role = INTEGRATION
    integration = Actor.from_request(request)
    assert integration == Actor(
        user=None, role=INTEGRATION, label="integration:CRM", ip="198.51.100.4"
    )


# --- the page context ------------------------------------------------------------------------


@pytest.mark.django_db
def test_pages_of_a_tenant_get_the_tenant_the_role_and_the_switcher(tenant, member):
    user = member(tenant, Role.MARKETER)
    request = RequestFactory().get("/")
    request.user = user
    assert tenancy(request) == {}  # no tenant resolved (a page outside /t/<slug>/)
    request.tenant, request.role = tenant, Role.MARKETER
    context = tenancy(request)
    assert context["tenant"] == tenant and context["role"] == Role.MARKETER
    assert [m.tenant for m in context["my_memberships"]] == [tenant]
    request.user = AnonymousUser()
    assert tenancy(request) == {}


# --- the rows' own rules ---------------------------------------------------------------------


@pytest.mark.django_db
def test_rows_read_as_what_they_are(tenant, member):
    from smarketing.tenancy.models import ApiKey, Invitation

    user = member(tenant, Role.MARKETER, email="mia@acme.example")
    membership = Membership.all_tenants.get(user=user)
    assert str(tenant) == "Acme"
    assert str(membership) == f"mia@acme.example in {tenant.pk} as marketer"
    assert str(ApiKey(name="CRM", prefix="0123456789ab")) == "CRM (0123456789ab…)"
    assert str(Invitation(email="x@acme.example", role=Role.MANAGER)) == "x@acme.example as manager"


def test_a_new_key_embeds_its_prefix_and_only_its_hash_matches():
    from smarketing.tenancy.models import ApiKey, hash_key

    prefix, raw = ApiKey.generate()
    assert len(prefix) == 12 and raw.startswith(f"smk_{prefix}_") and len(raw) == 49
    assert ApiKey.generate()[0] != prefix
    key = ApiKey(hashed_key=hash_key(raw))
    assert key.matches(raw) and not key.matches(raw + "x")
    assert hash_key("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    assert ApiKey(user_id=None).is_integration and not ApiKey(user_id=3).is_integration


@pytest.mark.django_db
def test_an_admin_page_names_the_role_it_refuses(tenant):
    from django.core.exceptions import PermissionDenied

    from smarketing.tenancy.pages import AdminPageMixin

    page = AdminPageMixin()
    page.request = type("Request", (), {"role": Role.MANAGER})()
    with pytest.raises(PermissionDenied) as refused:
        page.require_admin()
    assert str(refused.value) == "Your role (manager) may not manage this."
    page.request.role = Role.ADMIN
    page.require_admin()
