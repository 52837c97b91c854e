"""`GET /api/v1/sla/shortfalls/`, and the judging terms on the SLA version's API and form."""

import datetime
from decimal import Decimal

import pytest

from smarketing.tenancy.audit_models import AuditEntry
from smarketing.tenancy.roles import Role
from tests.sla.factories import ShortfallFactory, SlaVersionFactory

pytestmark = pytest.mark.django_db

PROBLEM = "application/problem+json"


@pytest.fixture
def reader(tenant, api_client_for):
    return api_client_for(tenant, Role.MARKETER)


def test_shortfalls_list_newest_month_first_with_target_actual_period_and_version(
    tenant, reader, other_tenant
):
    version = SlaVersionFactory(tenant=tenant, active=True, number=7)
    ShortfallFactory(tenant=tenant, version=version, period="2027-02",
                     period_start=datetime.date(2027, 2, 1))  # fmt: skip
    ShortfallFactory(tenant=tenant, version=version, term="acceptance_rate",
                     target=Decimal("0.6"), actual=Decimal("0.45"), decided=20)  # fmt: skip
    ShortfallFactory(tenant=other_tenant)  # not ours

    response = reader.get("/api/v1/sla/shortfalls/")
    assert response.status_code == 200
    rows = response.json()["results"]
    assert [(row["period"], row["term"]) for row in rows] == [
        ("2027-03", "acceptance_rate"), ("2027-02", "mqls")]  # fmt: skip
    first = {k: rows[0][k] for k in ("version", "version_number", "status", "target", "actual",
                                      "decided", "period_end")}  # fmt: skip
    assert first == {"version": version.pk, "version_number": 7, "status": "missed",
                     "target": 0.6, "actual": 0.45, "decided": 20,
                     "period_end": "2027-03-31"}  # fmt: skip
    assert rows[1]["target"] == 100 and rows[1]["recorded_at"]


def test_shortfalls_filter_by_status_term_and_month_or_quarter(tenant, reader):
    ShortfallFactory(tenant=tenant, status="at_risk")
    ShortfallFactory(tenant=tenant, term="sql_handoffs")
    ShortfallFactory(tenant=tenant, period="2027-05", period_start=datetime.date(2027, 5, 1))

    def count(query):
        response = reader.get(f"/api/v1/sla/shortfalls/?{query}")
        assert response.status_code == 200, response.content
        return len(response.json()["results"])

    assert count("status=at_risk") == 1
    assert count("term=sql_handoffs") == 1
    assert count("period=2027-03") == 2
    assert count("period=2027-Q1") == 2
    assert count("period=2027-Q2") == 1
    assert count("status=missed&term=mqls&period=2027-05") == 1


@pytest.mark.parametrize(
    ("query", "field"),
    [("status=late", "status"), ("term=revenue", "term"), ("period=2027-13", "period"),
     ("period=march", "period"), ("period=", "period"), ("status=", "status")],
)  # fmt: skip
def test_a_bad_shortfall_filter_is_a_problem_naming_the_field(reader, query, field):
    response = reader.get(f"/api/v1/sla/shortfalls/?{query}")
    assert response.status_code == 400
    assert response["Content-Type"].startswith(PROBLEM)
    assert field in response.json()["errors"]


def test_another_tenants_shortfall_is_a_404(tenant, other_tenant, api_client_for):
    theirs = ShortfallFactory(tenant=other_tenant)
    client = api_client_for(tenant, Role.MANAGER)
    assert client.get(f"/api/v1/sla/shortfalls/{theirs.pk}/").status_code == 404


def test_the_judging_terms_default_are_edited_on_a_draft_and_audited(tenant, api_client_for):
    manager = api_client_for(tenant, Role.MANAGER)
    created = manager.post("/api/v1/sla/", {"name": "2027"}, format="json")
    assert created.status_code == 201
    body = created.json()
    assert (body["pacing_tolerance"], body["pacing_min_elapsed"],
            body["acceptance_min_decided"]) == (0.2, 0.3, 10)  # fmt: skip

    changed = manager.patch(f"/api/v1/sla/{body['id']}/",
                            {"pacing_tolerance": 0.1, "acceptance_min_decided": 25},
                            format="json")  # fmt: skip
    assert changed.status_code == 200
    assert (changed.json()["pacing_tolerance"], changed.json()["acceptance_min_decided"]) == (
        0.1, 25)  # fmt: skip
    entry = AuditEntry.all_tenants.filter(action="sla.version_changed").latest("created_at")
    assert set(entry.changes) == {"pacing_tolerance", "acceptance_min_decided"}


@pytest.mark.parametrize(
    "body",
    [{"pacing_tolerance": 1.5}, {"pacing_min_elapsed": -0.1}, {"acceptance_min_decided": 0}],
)
def test_judging_terms_out_of_range_are_refused_by_field(tenant, api_client_for, body):
    manager = api_client_for(tenant, Role.MANAGER)
    response = manager.post("/api/v1/sla/", {"name": "x", **body}, format="json")
    assert response.status_code == 400
    assert set(response.json()["errors"]) == set(body)
