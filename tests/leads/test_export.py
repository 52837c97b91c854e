import csv
import io
import json

import pytest
from django.db import connection
from django.utils import timezone

from leads.api.exports import EXPORT_COLUMNS, csv_stream
from leads.models import Lead
from smarketing.tenancy.roles import Role
from smarketing.tenancy.scope import current_tenant_id
from tests.leads.factories import LeadFactory

pytestmark = pytest.mark.django_db


def exported(response) -> list[dict[str, str]]:
    assert response.status_code == 200, response.content
    assert response.streaming
    text = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(text)))


def test_export_streams_the_filtered_list_as_csv(tenant, other_tenant, api_client_for, member):
    owner = member(tenant, Role.SALES_REP)
    LeadFactory(tenant=tenant, email="ada@example.com", company="Analytical", stage="mql",
                score=70, owner=owner, custom_fields={"plan": "pro"})  # fmt: skip
    LeadFactory(tenant=tenant, email="bob@example.com", company="Bobco", stage="mql", score=20)
    LeadFactory(tenant=tenant, email="carl@example.com", company="Analytical", stage="lead")
    LeadFactory(tenant=other_tenant, email="eve@example.com", company="Analytical", stage="mql")
    client = api_client_for(tenant, Role.MARKETER)

    response = client.get("/api/v1/leads/export.csv", {"stage": "mql", "q": "analytical"})
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="leads-acme-')
    rows = exported(response)
    assert [row["email"] for row in rows] == ["ada@example.com"]
    ada = rows[0]
    assert list(ada) == list(EXPORT_COLUMNS)
    assert (ada["stage"], ada["score"], ada["owner_email"], ada["is_cold"]) == (
        "mql", "70", owner.email, "false",
    )  # fmt: skip
    assert json.loads(ada["custom_fields"]) == {"plan": "pro"}

    everything = exported(client.get("/api/v1/leads/export.csv", {"ordering": "-score"}))
    assert [row["email"] for row in everything] == [
        "ada@example.com", "bob@example.com", "carl@example.com",
    ]  # fmt: skip


def test_export_of_no_leads_is_the_header_alone(tenant, api_client_for):
    response = api_client_for(tenant, Role.SALES_REP).get("/api/v1/leads/export.csv")
    text = b"".join(response.streaming_content).decode()
    assert text.splitlines() == [",".join(EXPORT_COLUMNS)]


def test_export_with_an_invalid_filter_is_a_problem(tenant, api_client_for):
    response = api_client_for(tenant).get("/api/v1/leads/export.csv", {"score_min": "lots"})
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert "score_min" in response.json()["errors"]


def test_export_answers_a_client_that_asks_for_csv(tenant, api_client_for):
    LeadFactory(tenant=tenant, email="ada@example.com")
    client = api_client_for(tenant)
    response = client.get("/api/v1/leads/export.csv", HTTP_ACCEPT="text/csv")
    assert [row["email"] for row in exported(response)] == ["ada@example.com"]


def test_export_defuses_cells_a_spreadsheet_would_run_as_formulas(tenant, api_client_for):
    LeadFactory(tenant=tenant, email="x@example.com", company='=HYPERLINK("http://evil")',
                title="@SUM(A1)", phone="+39 06 1234 5678", industry="-2+3")  # fmt: skip
    row = exported(api_client_for(tenant).get("/api/v1/leads/export.csv"))[0]
    assert row["company"] == '\'=HYPERLINK("http://evil")'
    assert row["title"] == "'@SUM(A1)"
    assert row["industry"] == "'-2+3"
    assert row["phone"] == "+39 06 1234 5678"  # a phone number is data, left alone


def test_the_export_stream_reads_its_rows_inside_the_tenant_scope(tenant):
    """The response body is produced after the view has left its scope; on PostgreSQL the
    rows are visible to the query only inside the tenant's scope (row-level security)."""

    def rows():
        yield [current_tenant_id()]

    assert current_tenant_id() is None
    text = "".join(csv_stream(tenant=tenant, header=["tenant"], rows=rows()))
    assert text.splitlines() == ["tenant", str(tenant.pk)]
    assert current_tenant_id() is None


@pytest.mark.postgres
def test_a_large_export_is_read_through_a_server_side_cursor(tenant, api_client_for, monkeypatch):
    now = timezone.now()
    Lead.all_tenants.bulk_create(
        Lead(tenant=tenant, email=f"p{i}@example.com", stage_changed_at=now) for i in range(4500)
    )
    cursors = []
    real = connection.chunked_cursor

    def chunked_cursor():
        cursors.append(1)
        return real()

    monkeypatch.setattr(connection, "chunked_cursor", chunked_cursor)
    rows = exported(api_client_for(tenant).get("/api/v1/leads/export.csv"))
    assert len({row["email"] for row in rows}) == 4500
    assert [row["email"] for row in rows[:2]] == ["p0@example.com", "p1@example.com"]
    # Fetched in chunks from one named cursor, not 4,500 rows in one answer.
    assert cursors == [1]
