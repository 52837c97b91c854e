import pytest

from smarketing.tenancy.models import Membership
from smarketing.tenancy.roles import Role
from smarketing.tenancy.scope import TenantScopeError, tenant_scope


def test_default_manager_refuses_to_query_without_a_tenant_scope(tenant):
    with pytest.raises(TenantScopeError, match="tenant_scope"):
        list(Membership.objects.all())


def test_default_manager_sees_only_the_scoped_tenant(tenant, other_tenant, member):
    mine = member(tenant, Role.MARKETER)
    member(other_tenant, Role.MARKETER)
    with tenant_scope(tenant):
        assert [m.user for m in Membership.objects.all()] == [mine]


def test_all_tenants_is_the_explicit_exit(tenant, other_tenant, member):
    member(tenant, Role.MARKETER)
    member(other_tenant, Role.SALES_REP)
    assert Membership.all_tenants.count() == 2


def test_scopes_nest_and_restore(tenant, other_tenant, member):
    member(tenant, Role.MARKETER)
    member(other_tenant, Role.MARKETER)
    with tenant_scope(tenant):
        with tenant_scope(other_tenant):
            assert {m.tenant_id for m in Membership.objects.all()} == {other_tenant.pk}
        assert {m.tenant_id for m in Membership.objects.all()} == {tenant.pk}
    with pytest.raises(TenantScopeError):
        Membership.objects.count()
