"""The migration operations that put row-level security on tenant tables: forwards they enable,
force and create the policy; backwards they take it all away (smarketing/tenancy/rls.py)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from smarketing.tenancy.rls import (
    POLICY_CONDITION,
    POLICY_CONDITION_OR,
    EnableRowLevelSecurity,
    ReplacePolicyCondition,
)

TABLE = "tenancy_invitation"


def _state():
    return MigrationExecutor(connection).loader.project_state()


def _security(table: str) -> tuple[bool, bool, str | None, str | None]:
    """(enabled, forced, policy's USING, policy's WITH CHECK) of `table`."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relrowsecurity, c.relforcerowsecurity, "
            "pg_get_expr(p.polqual, p.polrelid), pg_get_expr(p.polwithcheck, p.polrelid) "
            "FROM pg_class c LEFT JOIN pg_policy p ON p.polrelid = c.oid "
            "AND p.polname = 'tenant_isolation' WHERE c.relname = %s",
            [table],
        )
        return cursor.fetchone()


def _normalised(sql: str) -> str:
    """A condition as PostgreSQL prints it back: compare by its words, not its spacing."""
    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMP TABLE _probe (tenant_id bigint)")
        cursor.execute(f"CREATE POLICY probe ON _probe USING ({sql})")
        cursor.execute(
            "SELECT pg_get_expr(polqual, polrelid) FROM pg_policy WHERE polname = 'probe'"
        )
        printed = cursor.fetchone()[0]
        cursor.execute("DROP TABLE _probe")
    return printed


@pytest.mark.django_db
def test_the_operation_describes_itself_for_migrations():
    operation = EnableRowLevelSecurity("Invitation")
    assert operation.describe() == "Enable row-level security on Invitation"
    assert operation.deconstruct() == ("EnableRowLevelSecurity", ["Invitation"], {})
    assert operation.migration_name_fragment == "rls_invitation"
    assert operation.reversible and operation.reduces_to_sql
    replace = ReplacePolicyCondition()
    assert replace.describe() == "Give every tenant isolation policy the current condition"
    assert replace.deconstruct() == ("ReplacePolicyCondition", [], {})
    state = _state()
    before = state.clone()
    operation.state_forwards("tenancy", state)
    replace.state_forwards("tenancy", state)
    assert state.models.keys() == before.models.keys()


def test_a_database_without_row_level_security_is_left_alone():
    class Editor:
        connection = type("Connection", (), {"vendor": "sqlite"})()

        def execute(self, sql):
            raise AssertionError(f"sent {sql}")

    editor, operation = Editor(), EnableRowLevelSecurity("Invitation")
    operation.database_forwards("tenancy", editor, None, None)
    operation.database_backwards("tenancy", editor, None, None)
    ReplacePolicyCondition().database_forwards("tenancy", editor, None, None)
    ReplacePolicyCondition().database_backwards("tenancy", editor, None, None)


@pytest.mark.postgres
@pytest.mark.django_db
def test_backwards_takes_the_policy_away_and_forwards_puts_it_back():
    state = _state()
    operation = EnableRowLevelSecurity("Invitation")
    expected = _normalised(POLICY_CONDITION)
    assert _security(TABLE) == (True, True, expected, expected)
    with connection.schema_editor(atomic=False) as editor:
        operation.database_backwards("tenancy", editor, state, state)
    assert _security(TABLE) == (False, False, None, None)
    with connection.schema_editor(atomic=False) as editor:
        operation.database_forwards("tenancy", editor, state, state)
    assert _security(TABLE) == (True, True, expected, expected)


@pytest.mark.postgres
@pytest.mark.django_db
def test_replacing_the_condition_reaches_every_tenant_table_both_ways():
    state = _state()
    case, either = _normalised(POLICY_CONDITION), _normalised(POLICY_CONDITION_OR)
    with connection.schema_editor(atomic=False) as editor:
        ReplacePolicyCondition().database_backwards("tenancy", editor, state, state)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT DISTINCT pg_get_expr(polqual, polrelid), pg_get_expr(polwithcheck, polrelid) "
            "FROM pg_policy WHERE polname = 'tenant_isolation'"
        )
        assert cursor.fetchall() == [(either, either)]
    assert _security("tenancy_membership")[2] == either
    with connection.schema_editor(atomic=False) as editor:
        ReplacePolicyCondition().database_forwards("tenancy", editor, state, state)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT DISTINCT pg_get_expr(polqual, polrelid), pg_get_expr(polwithcheck, polrelid) "
            "FROM pg_policy WHERE polname = 'tenant_isolation'"
        )
        assert cursor.fetchall() == [(case, case)]
