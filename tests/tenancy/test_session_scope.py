"""The session's row-level-security settings always match the scope of the statement running.

They reach the session only when they change (smarketing/tenancy/postgresql), so what the
connection believes the session holds must stay true through rollbacks and odd statements.
"""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from smarketing.tenancy.models import Membership
from smarketing.tenancy.roles import Role
from smarketing.tenancy.scope import cross_tenant_scope, tenant_scope
from tests.factories import MembershipFactory
from tests.scopes import as_deployed

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


def _session_tenant() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('app.tenant_id', true)")
        return cursor.fetchone()[0]


def _scope_then_fail(tenant) -> None:
    """Inside a savepoint, the settings reach the session, then a statement fails: the
    savepoint's rollback undoes the settings too."""
    with transaction.atomic(), tenant_scope(tenant):
        assert Membership.all_tenants.count() == 1
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 / 0 FROM tenancy_membership")


def test_a_rolled_back_savepoint_does_not_leave_its_scope_behind(tenant, other_tenant):
    MembershipFactory(tenant=tenant, role=Role.ADMIN)
    MembershipFactory(tenant=other_tenant, role=Role.ADMIN)
    with transaction.atomic():
        with pytest.raises(DatabaseError):
            _scope_then_fail(tenant)
        with tenant_scope(tenant):
            assert _session_tenant() == str(tenant.pk)
            assert set(Membership.all_tenants.values_list("tenant_id", flat=True)) == {tenant.pk}


@pytest.mark.django_db(transaction=True)
def test_statements_that_must_run_alone_still_run(tenant):
    with tenant_scope(tenant), connection.cursor() as cursor:
        # VACUUM refuses to share a message (and so a transaction) with the settings.
        cursor.execute("VACUUM tenancy_membership")
        assert _session_tenant() == str(tenant.pk)


def test_leaving_every_scope_hides_tenant_rows_again(tenant):
    MembershipFactory(tenant=tenant, role=Role.ADMIN)
    with as_deployed():
        with cross_tenant_scope():
            assert Membership.all_tenants.count() == 1
        with tenant_scope(tenant):
            assert Membership.all_tenants.count() == 1
        assert Membership.all_tenants.count() == 0
