"""Row-level security for tenant tables, as a migration operation.

Every app that adds a `TenantScoped` model adds `EnableRowLevelSecurity("<model>")` to the
migration that creates it. `FORCE` makes the policy bind the table owner too, so the
application role (neither superuser nor BYPASSRLS) can never read past its tenant.
"""

from django.db.migrations.operations.base import Operation

POLICY_NAME = "tenant_isolation"
# A CASE, not `cross_tenant = 'on' OR tenant_id = <setting>`, for the planner's sake: it
# estimates an OR of the two from the column's statistics, about 1/(number of tenants), and
# multiplies that with the query's own `tenant_id = …` filter, counting the tenant twice. With
# 1,000 tenants a tenant's 2,000 MQLs were estimated at 12 rows, so the lead list read and
# sorted all 2,000 instead of stopping after the first page on an ordered index. A CASE gets
# a flat estimate of one half whatever the number of tenants. The same rows pass either way.
POLICY_CONDITION = (
    "CASE WHEN current_setting('app.cross_tenant', true) = 'on' THEN true "
    "ELSE tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::bigint END"
)
# The condition of the policies created before it (migrations put it back on the way down).
POLICY_CONDITION_OR = (
    "current_setting('app.cross_tenant', true) = 'on' "
    "OR tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::bigint"
)


class EnableRowLevelSecurity(Operation):
    reduces_to_sql = True
    reversible = True

    def __init__(self, model_name: str):
        self.model_name = model_name

    def state_forwards(self, app_label, state):
        pass

    def _table(self, app_label, state) -> str:
        return state.apps.get_model(app_label, self.model_name)._meta.db_table

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor != "postgresql":
            return
        table = schema_editor.quote_name(self._table(app_label, to_state))
        schema_editor.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        schema_editor.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
        schema_editor.execute(
            f"CREATE POLICY {POLICY_NAME} ON {table} "
            f"USING ({POLICY_CONDITION}) WITH CHECK ({POLICY_CONDITION})"
        )

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor != "postgresql":
            return
        table = schema_editor.quote_name(self._table(app_label, from_state))
        schema_editor.execute(f"DROP POLICY IF EXISTS {POLICY_NAME} ON {table}")
        schema_editor.execute(f"ALTER TABLE {table} NO FORCE ROW LEVEL SECURITY")
        schema_editor.execute(f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY")

    def describe(self) -> str:
        return f"Enable row-level security on {self.model_name}"

    def deconstruct(self):
        return self.__class__.__qualname__, [self.model_name], {}

    @property
    def migration_name_fragment(self) -> str:
        return f"rls_{self.model_name.lower()}"


# The tables of this schema that carry a tenant isolation policy.
POLICY_TABLES_SQL = (
    "SELECT c.relname FROM pg_policy p JOIN pg_class c ON c.oid = p.polrelid "
    "JOIN pg_namespace n ON n.oid = c.relnamespace "
    "WHERE p.polname = %s AND n.nspname = current_schema() ORDER BY c.relname"
)


def _alter_every_policy(schema_editor, condition: str) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(POLICY_TABLES_SQL, [POLICY_NAME])
        tables = [row[0] for row in cursor.fetchall()]
    for table in tables:
        schema_editor.execute(
            f"ALTER POLICY {POLICY_NAME} ON {schema_editor.quote_name(table)} "
            f"USING ({condition}) WITH CHECK ({condition})"
        )


class ReplacePolicyCondition(Operation):
    """Give every existing tenant policy the current `POLICY_CONDITION` (tables created later
    get it from `EnableRowLevelSecurity`)."""

    reduces_to_sql = True
    reversible = True

    def state_forwards(self, app_label, state):
        pass

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        _alter_every_policy(schema_editor, POLICY_CONDITION)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        _alter_every_policy(schema_editor, POLICY_CONDITION_OR)

    def describe(self) -> str:
        return "Give every tenant isolation policy the current condition"

    def deconstruct(self):
        return self.__class__.__qualname__, [], {}
