"""What the hot API paths cost in SQL on PostgreSQL, pinned (bench/api_cost.py measures CPU).

Each figure counts every statement Django sends, savepoints and transaction control
included, for a request after the key's first use (the worker then keeps what the key stands
for, see smarketing/tenancy/credentials.py). The tenant's row-level-security settings reach
the session in front of the first statement that needs them, in the same round trip, so a
worker switching tenants pays no statement for it.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from leads.models import Lead
from smarketing.tenancy.scope import tenant_scope
from tests.factories import TenantFactory
from tests.leads.factories import LeadFactory
from tests.personas.helpers import approved_persona
from tests.tenancy.kept import configuration_committed

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.django_db]

OPS_LEAD = {"first_name": "Ada", "last_name": "Lovelace", "company": "Analytical Engines",
            "title": "Head of Operations", "industry": "Manufacturing", "company_size": 120,
            "country": "IT"}  # fmt: skip
# BEGIN, the insert, its outbox row, its match keys, its scores, COMMIT. The scoring inputs
# and the SLA's thresholds are kept by the worker (smarketing/tenancy/configuration.py), and
# the answer is the lead as written, not read back.
NEW_LEAD_QUERIES = 6
# The same, with the attempted insert followed by the merge's row lock, its update and its
# history row, without the outbox row (a merge is no public event).
MERGE_QUERIES = 8
LIST_QUERIES = 1


@pytest.fixture(autouse=True)
def _kept_as_deployed(settings):
    settings.API_KEYS_KEPT_PER_WORKER = True
    settings.CONFIGURATION_KEPT_PER_WORKER = True


def _queries(call) -> tuple[object, list[str]]:
    with CaptureQueriesContext(connection) as captured:
        response = call()
    return response, [query["sql"] for query in captured.captured_queries]


@pytest.fixture
def scored_tenant(tenant):
    with tenant_scope(tenant):
        approved_persona(tenant)
    # The test's transaction never commits: replace the configuration token as the commit
    # of the persona (and of the tenant's SLA) would.
    configuration_committed()
    return tenant


def test_posting_a_new_lead_costs_at_most_six_queries(scored_tenant, api_client_for):
    client = api_client_for(scored_tenant)
    assert (
        client.post("/api/v1/leads/", {"email": "first@plant.example", **OPS_LEAD}).status_code
        == 201
    )

    response, queries = _queries(
        lambda: client.post("/api/v1/leads/", {"email": "second@plant.example", **OPS_LEAD})
    )

    assert response.status_code == 201 and response.json()["fit_score"] > 0
    assert len(queries) <= NEW_LEAD_QUERIES, "\n".join(queries)


def test_merging_into_a_lead_costs_at_most_eight_queries(scored_tenant, api_client_for):
    client = api_client_for(scored_tenant)
    client.post("/api/v1/leads/", {"email": "ada@plant.example", **OPS_LEAD})

    response, queries = _queries(
        lambda: client.post(
            "/api/v1/leads/", {"email": "ada@plant.example", "phone": "+39 06 1234"}
        )
    )

    assert response.status_code == 200 and response.json()["phone"] == "+39 06 1234"
    assert len(queries) <= MERGE_QUERIES, "\n".join(queries)


def test_a_lead_list_page_costs_one_query_whatever_its_size(tenant, api_client_for):
    client = api_client_for(tenant)
    with tenant_scope(tenant):
        LeadFactory.create_batch(60, tenant=tenant)
    client.get("/api/v1/leads/")

    small, small_queries = _queries(lambda: client.get("/api/v1/leads/?page_size=10"))
    large, large_queries = _queries(lambda: client.get("/api/v1/leads/?page_size=50"))

    assert (len(small.json()["results"]), len(large.json()["results"])) == (10, 50)
    assert len(small_queries) == len(large_queries) == LIST_QUERIES


def test_a_worker_switching_tenants_sends_no_statement_for_the_switch(tenant, api_client_for):
    other = TenantFactory(slug="globex", name="Globex")
    clients = {tenant.pk: api_client_for(tenant), other.pk: api_client_for(other)}
    for owner in (tenant, other):
        with tenant_scope(owner):
            LeadFactory.create_batch(3, tenant=owner)
        clients[owner.pk].get("/api/v1/leads/")

    for owner in (tenant, other, tenant, other):
        response, queries = _queries(lambda owner=owner: clients[owner.pk].get("/api/v1/leads/"))
        ids = {row["id"] for row in response.json()["results"]}
        with tenant_scope(owner):
            # Row-level security and the scope still show each tenant its own rows only.
            assert ids == set(Lead.objects.values_list("pk", flat=True))
        assert len(queries) == LIST_QUERIES, "\n".join(queries)
