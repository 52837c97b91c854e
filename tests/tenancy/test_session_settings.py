"""What the PostgreSQL connection believes its session holds, statement by statement
(smarketing/tenancy/postgresql/base.py)."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from smarketing.tenancy import scope
from smarketing.tenancy.postgresql.base import UNKNOWN, _alone
from smarketing.tenancy.scope import cross_tenant_scope, tenant_scope
from tests.scopes import as_deployed


@pytest.mark.parametrize(
    ("sql", "alone"),
    [
        ("VACUUM tenancy_membership", True),
        ("  analyze leads_lead", True),
        ("CLUSTER x", True),
        ("REINDEX TABLE x", True),
        ("CHECKPOINT", True),
        ("ALTER  SYSTEM SET work_mem = '4MB'", True),
        ("CREATE DATABASE x", True),
        ("drop tablespace x", True),
        ("CREATE INDEX CONCURRENTLY i ON t (c)", True),
        ("CREATE UNIQUE INDEX CONCURRENTLY i ON t (c)", True),
        ("ALTER TYPE mood ADD VALUE 'x'", True),
        ("BEGIN", True),
        ("START TRANSACTION", True),
        ("COMMIT", True),
        ("ROLLBACK", True),
        ("PREPARE TRANSACTION 'x'", True),
        ("SET TRANSACTION ISOLATION LEVEL SERIALIZABLE", True),
        ("SELECT 1", False),
        ("CREATE INDEX i ON t (c)", False),
        ("SAVEPOINT s1", False),
        ("UPDATE t SET analyze = 1", False),
        (" " * 74 + "VACUUM", True),
    ],
)
def test_which_statements_go_alone(sql, alone):
    assert _alone(sql) is alone


def _session() -> tuple[str, str]:
    """The settings as the session holds them, read past the scope machinery."""
    raw = connection.connection.cursor()
    raw.execute(
        "SELECT current_setting('app.tenant_id', true), current_setting('app.cross_tenant', true)"
    )
    return raw.fetchone()


@pytest.mark.postgres
@pytest.mark.django_db
def test_a_statement_carries_its_scope_and_the_connection_remembers_it(tenant):
    with as_deployed(), tenant_scope(tenant):
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        assert connection.session_scope == (tenant.pk, False)
        assert _session() == (str(tenant.pk), "off")
        with cross_tenant_scope(), connection.cursor() as cursor:
            cursor.executemany("SELECT %s", [(1,), (2,)])
            assert connection.session_scope == (tenant.pk, True)
            assert _session() == (str(tenant.pk), "on")


@pytest.mark.postgres
@pytest.mark.django_db
def test_the_scope_is_applied_now_for_a_raw_driver_connection(tenant):
    with as_deployed(), tenant_scope(tenant):
        scope.apply_scope_now()
        assert connection.session_scope == (tenant.pk, False)
        assert _session() == (str(tenant.pk), "off")
        scope.apply_scope_now()  # nothing to change: nothing sent
        assert connection.session_scope == (tenant.pk, False)


@pytest.mark.postgres
@pytest.mark.django_db
def test_after_a_rollback_the_settings_are_sent_again(tenant):
    with as_deployed(), tenant_scope(tenant):
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT 1 / 0")
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        assert connection.session_scope == (tenant.pk, False)
        assert _session() == (str(tenant.pk), "off")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_new_connection_starts_unscoped(tenant):
    connection.close()
    assert connection.session_scope is UNKNOWN
    connection.ensure_connection()
    assert connection.session_scope == scope.UNSCOPED
    with as_deployed(), connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM tenancy_membership")
        assert cursor.fetchone()[0] == 0
        assert connection.session_scope == scope.UNSCOPED


class Sent:
    """The statements as they leave for the server (inside the scope wrapper)."""

    def __init__(self):
        self.statements: list[tuple[str, bool]] = []

    def __call__(self, execute, sql, params, many, context):
        self.statements.append((sql, many))
        return execute(sql, params, many, context)


@pytest.mark.postgres
@pytest.mark.django_db
def test_the_settings_ride_in_front_of_the_first_statement_of_a_scope_only(tenant, other_tenant):
    sent = Sent()
    with as_deployed(), connection.execute_wrapper(sent):
        with tenant_scope(tenant), connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.execute("SELECT 2")
        with tenant_scope(other_tenant), connection.cursor() as cursor:
            cursor.execute("SELECT 3")
    ahead = scope.scope_sql((tenant.pk, False))
    assert sent.statements == [
        (f"{ahead}; SELECT 1", False),
        ("SELECT 2", False),
        (f"{scope.scope_sql((other_tenant.pk, False))}; SELECT 3", False),
    ]


@pytest.mark.postgres
@pytest.mark.django_db
def test_batches_statements_that_go_alone_and_server_side_cursors_get_the_settings_first(tenant):
    from smarketing.tenancy.models import Membership
    from tests.factories import MembershipFactory

    MembershipFactory(tenant=tenant)
    MembershipFactory(tenant=tenant)
    sent = Sent()
    with as_deployed(), connection.execute_wrapper(sent):
        with tenant_scope(tenant), connection.cursor() as cursor:
            cursor.executemany("SELECT %s", [(1,), (2,)])
        with cross_tenant_scope(), connection.cursor() as cursor:
            cursor.execute("ANALYZE tenancy_membership")
        with tenant_scope(tenant):
            assert len(list(Membership.objects.iterator(chunk_size=1))) == 2
    statements = [sql for sql, _ in sent.statements]
    assert statements[:2] == [scope.scope_sql((tenant.pk, False)), "SELECT %s"]
    assert statements[2:4] == [scope.scope_sql((None, True)), "ANALYZE tenancy_membership"]
    assert statements[4] == scope.scope_sql((tenant.pk, False))
    assert statements[5].startswith("SELECT ") and "set_config" not in statements[5]
    assert all(statement.count("set_config('app.tenant_id'") <= 1 for statement in statements)
