"""Persona performance over a period: the API, its CSV and the list page take `from`/`to`
as the other reports do (days of the tenant's calendar, both included), count the leads
created and the moves made in those days, and refuse a bad period naming the parameter.
Without a period the figures stay those of all time."""

import csv
import io
from datetime import UTC, datetime

import pytest
from django.test import Client

from leads.models import Lead
from smarketing.tenancy.roles import Role
from tests.leads.factories import LeadFactory, StageTransitionFactory
from tests.personas.helpers import approved_persona

pytestmark = pytest.mark.django_db

MARCH = {"from": "2027-03-01", "to": "2027-03-31"}


def _history(tenant):
    """One lead created in February and qualified in March; one created and qualified and
    handed off in April."""
    persona = approved_persona(tenant, name="Ops buyer")
    for created, moves in (
        (datetime(2027, 2, 10, 12, tzinfo=UTC), [("mql", datetime(2027, 3, 3, 12, tzinfo=UTC))]),
        (datetime(2027, 4, 2, 12, tzinfo=UTC), [("mql", datetime(2027, 4, 3, 12, tzinfo=UTC)),
                                                ("sql", datetime(2027, 4, 4, 12, tzinfo=UTC))]),
    ):  # fmt: skip
        lead = LeadFactory(tenant=tenant, persona_id=persona.pk)
        Lead.all_tenants.filter(pk=lead.pk).update(created_at=created)
        for to_stage, at in moves:
            StageTransitionFactory(lead=lead, action="move", to_stage=to_stage, at=at)
    return persona


def test_performance_of_a_period_counts_its_leads_and_moves_only(tenant, api_client_for):
    persona = _history(tenant)
    client = api_client_for(tenant, Role.MARKETER)
    url = f"/api/v1/personas/{persona.pk}/performance/"
    march = client.get(url, MARCH).json()
    assert (march["leads"], march["mqls"], march["sqls"]) == (0, 1, 0)
    april = client.get(url, {"from": "2027-04-01", "to": "2027-04-30"}).json()
    assert (april["leads"], april["mqls"], april["sqls"]) == (1, 1, 1)
    everything = client.get(url).json()
    assert (everything["leads"], everything["mqls"], everything["sqls"]) == (2, 2, 1)
    listed = client.get("/api/v1/personas/", MARCH).json()["results"]
    assert [p["performance"]["mqls"] for p in listed] == [1]


def test_the_csv_takes_the_same_period(tenant, api_client_for):
    _history(tenant)
    client = api_client_for(tenant, Role.SALES_REP)
    response = client.get("/api/v1/personas/performance.csv", MARCH)
    assert response.status_code == 200
    raw = b"".join(response.streaming_content).decode()
    [row] = list(csv.DictReader(io.StringIO(raw, newline="")))
    assert (row["leads"], row["mqls"], row["sqls"]) == ("0", "1", "0")


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"from": "2027-03-31", "to": "2027-03-01"}, "from"),
        ({"from": "March", "to": "2027-03-01"}, "from"),
        ({"from": "2027-03-01", "to": ""}, "to"),
        ({"from": "2010-01-01", "to": "2027-03-01"}, "from"),  # over 3,660 days
    ],
)
@pytest.mark.parametrize("path", ["performance/", "performance.csv", ""])
def test_a_bad_period_is_a_problem_naming_the_parameter(
    tenant, api_client_for, params, field, path
):
    persona = _history(tenant)
    url = {"performance/": f"/api/v1/personas/{persona.pk}/performance/",
           "performance.csv": "/api/v1/personas/performance.csv",
           "": "/api/v1/personas/"}[path]  # fmt: skip
    response = api_client_for(tenant, Role.MARKETER).get(url, params)
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/problem+json")
    assert list(response.json()["errors"]) == [field]


def test_the_list_page_filters_by_period_and_links_the_same_csv(tenant, member):
    _history(tenant)
    client = Client()
    client.force_login(member(tenant, Role.MANAGER))
    body = client.get(f"/t/{tenant.slug}/personas/", MARCH).content.decode()
    assert 'href="/api/v1/personas/performance.csv?from=2027-03-01&amp;to=2027-03-31"' in body
    assert 'value="2027-03-01"' in body and "Figures of 1 Mar 2027" in body
    # All time by default; a period it cannot read is explained beside its field.
    assert "Figures of all time" in client.get(f"/t/{tenant.slug}/personas/").content.decode()
    bad = client.get(f"/t/{tenant.slug}/personas/", {"from": "2027-04-01", "to": "2027-03-01"})
    assert bad.status_code == 200
    page = bad.content.decode()
    assert 'aria-invalid="true"' in page and "The first day is after the last." in page
    assert "Figures of all time" in page
