import psycopg2
import pytest
from django.db import DatabaseError, connection, transaction

from smarketing.tenancy.models import Membership
from smarketing.tenancy.roles import Role
from smarketing.tenancy.scope import tenant_scope
from tests.factories import UserFactory

pytestmark = pytest.mark.postgres

TENANT_TABLES_SQL = """
SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity,
       EXISTS (SELECT 1 FROM pg_policy p
               WHERE p.polrelid = c.oid AND p.polname = 'tenant_isolation')
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped
WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p')
ORDER BY c.relname
"""


@pytest.mark.django_db
def test_every_table_with_a_tenant_column_has_a_forced_isolation_policy():
    with connection.cursor() as cursor:
        cursor.execute(TENANT_TABLES_SQL)
        rows = cursor.fetchall()
    assert "tenancy_membership" in {row[0] for row in rows}
    unprotected = [
        name for name, enabled, forced, policy in rows if not (enabled and forced and policy)
    ]
    assert unprotected == []


@pytest.mark.django_db
def test_the_application_role_is_neither_superuser_nor_bypassrls():
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user")
        assert cursor.fetchone() == (False, False)


def test_a_query_that_forgot_the_tenant_filter_sees_only_the_scoped_tenant(
    tenant, other_tenant, member
):
    member(tenant, Role.MARKETER)
    member(tenant, Role.SALES_REP)
    theirs = member(other_tenant, Role.MANAGER)
    with tenant_scope(other_tenant):
        forgotten_filter = list(Membership.all_tenants.all())
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM tenancy_membership")
            raw_count = cursor.fetchone()[0]
    assert [m.user for m in forgotten_filter] == [theirs]
    assert raw_count == 1


def test_a_tenant_cannot_write_a_row_into_another_tenant(tenant, other_tenant):
    user = UserFactory()
    with (
        tenant_scope(other_tenant),
        pytest.raises(DatabaseError, match="row-level security"),
        transaction.atomic(),
    ):
        Membership.all_tenants.create(tenant=tenant, user=user, role=Role.ADMIN)


@pytest.mark.django_db(transaction=True)
def test_a_connection_outside_any_scope_sees_no_tenant_rows(tenant, member):
    member(tenant, Role.MARKETER)
    settings = connection.settings_dict
    raw = psycopg2.connect(
        dbname=settings["NAME"],
        user=settings["USER"],
        password=settings["PASSWORD"],
        host=settings["HOST"],
        port=settings["PORT"],
    )
    try:
        with raw.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM tenancy_membership")
            assert cursor.fetchone()[0] == 0
            cursor.execute("SELECT set_config('app.tenant_id', %s, false)", [str(tenant.pk)])
            cursor.execute("SELECT count(*) FROM tenancy_membership")
            assert cursor.fetchone()[0] == 1
    finally:
        raw.close()


@pytest.mark.django_db
def test_every_tenant_policy_has_the_condition_the_planner_estimates_flat():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT DISTINCT pg_get_expr(p.polqual, p.polrelid), "
            "pg_get_expr(p.polwithcheck, p.polrelid) FROM pg_policy p "
            "WHERE p.polname = 'tenant_isolation'"
        )
        conditions = cursor.fetchall()
    assert len(conditions) == 1
    using, check = conditions[0]
    assert using == check and using.split()[:2] == ["CASE", "WHEN"]


def test_a_tenants_first_page_of_a_filter_reads_an_ordered_index_among_many_tenants(tenant):
    """Among hundreds of tenants the planner still sees that a tenant has more MQLs than a
    page holds, so the page stops after 51 rows of `lead_stage_idx` instead of reading and
    sorting every match (the policy's estimate used to shrink with the number of tenants)."""
    from leads import selectors
    from leads.models import Lead, Stage
    from tests.factories import TenantFactory
    from tests.leads.factories import LeadFactory

    TenantFactory.create_batch(300)
    template = LeadFactory(tenant=tenant, stage=Stage.MQL, email="template@example.com")
    columns = [f.column for f in Lead._meta.concrete_fields
               if f.column not in ("id", "email", "tenant_id")]  # fmt: skip
    # Every tenant has the same mix: one lead in five is an MQL.
    values = ["CASE WHEN g %% 5 = 0 THEN 'mql' ELSE 'lead' END" if c == "stage"
              else f"t.{c}" for c in columns]  # fmt: skip
    with connection.cursor() as cursor:
        # 2,500 leads of the tenant and 100 of each other tenant, their rows interleaved as
        # leads of many tenants arriving at once are.
        cursor.execute(
            f"INSERT INTO leads_lead (tenant_id, email, {', '.join(columns)}) "
            f"SELECT o.id, 'o' || g || '@example.com', {', '.join(values)} "
            "FROM leads_lead t CROSS JOIN tenancy_tenant o CROSS JOIN LATERAL "
            "generate_series(1, CASE WHEN o.id = %(tenant)s THEN 2500 ELSE 100 END) g "
            "WHERE t.id = %(template)s "
            "ORDER BY g::float / CASE WHEN o.id = %(tenant)s THEN 2500 ELSE 100 END, o.id",
            {"tenant": tenant.pk, "template": template.pk},
        )
        cursor.execute("ANALYZE leads_lead")
    with tenant_scope(tenant):
        plan = selectors.lead_list().filter(stage__in=[Stage.MQL]).order_by("-id")[:51].explain()
    assert "Index Scan using lead_stage_idx" in plan
    assert "Sort" not in plan
