"""A lead POST answers the lead as it stands after the upsert and everything that reacted to
it: the same bytes a read of the lead gives, whether the answer came from the instance the
upsert wrote (scored in place) or, when other reactions moved the lead, from a read."""

from __future__ import annotations

import pytest

from leads.models import Lead, Stage
from smarketing.tenancy.roles import Role
from smarketing.tenancy.scope import tenant_scope
from tests.leads.factories import CampaignFactory
from tests.personas.helpers import approved_persona
from tests.queue.factories import RoutingSettingsFactory
from tests.sla.factories import SlaVersionFactory

pytestmark = pytest.mark.django_db

OPS_LEAD = {"first_name": "Ada", "last_name": "Lovelace", "company": "Analytical Engines",
            "title": "Head of Operations", "industry": "Manufacturing", "company_size": 120,
            "country": "IT"}  # fmt: skip
CRITERIA = [
    {"field": "industry", "operator": "in", "value": ["manufacturing"], "weight": 60},
    {"field": "country", "operator": "equals", "value": "IT", "weight": 40},
]


def _posted_and_read(client, body: dict) -> tuple[object, bytes]:
    posted = client.post("/api/v1/leads/", body, format="json")
    assert posted.status_code in (200, 201), posted.content
    read = client.get(f"/api/v1/leads/{posted.json()['id']}/")
    assert read.status_code == 200
    return posted, read.content


def test_a_new_unscored_lead_is_answered_as_read(tenant, api_client_for):
    client = api_client_for(tenant)

    posted, read = _posted_and_read(client, {"email": "plain@plant.example", **OPS_LEAD})

    assert posted.status_code == 201 and posted.json()["score"] == 0
    assert posted.content == read


def test_a_new_scored_lead_is_answered_with_its_scores_as_read(tenant, api_client_for):
    with tenant_scope(tenant):
        approved_persona(tenant, criteria=CRITERIA)
        campaign = CampaignFactory(tenant=tenant)
    client = api_client_for(tenant)
    body = {"email": "scored@plant.example", **OPS_LEAD, "campaign": campaign.pk,
            "custom_fields": {"zeta": "last", "a": 1, "mid": True, "plan": None}}  # fmt: skip

    posted, read = _posted_and_read(client, body)

    answer = posted.json()
    assert answer["fit_score"] == 100 and answer["persona"] is not None
    assert answer["score_breakdown"]["criteria"]["matched"]
    assert posted.content == read


def test_a_merge_is_answered_as_read(tenant, api_client_for, member):
    with tenant_scope(tenant):
        approved_persona(tenant, criteria=CRITERIA)
    rep = member(tenant, Role.SALES_REP)
    client = api_client_for(tenant)
    created = client.post("/api/v1/leads/", {"email": "m@plant.example", **OPS_LEAD})
    with tenant_scope(tenant):
        Lead.objects.filter(pk=created.json()["id"]).update(owner=rep)

    posted, read = _posted_and_read(
        client, {"email": "m@plant.example", "phone": "+39 06 1234", "industry": "Retail"}
    )

    answer = posted.json()
    assert posted.status_code == 200 and answer["owner"]["email"] == rep.email
    assert answer["phone"] == "+39 06 1234" and answer["fit_score"] == 40
    assert posted.content == read


def test_a_lead_the_sla_hands_off_and_routing_assigns_is_answered_as_read(
    tenant, api_client_for, member
):
    with tenant_scope(tenant):
        approved_persona(tenant, criteria=CRITERIA)
        SlaVersionFactory(tenant=tenant, active=True, mql_threshold=30, sql_threshold=50)
        RoutingSettingsFactory(tenant=tenant, mode="round_robin")
    rep = member(tenant, Role.SALES_REP)
    client = api_client_for(tenant)

    posted, read = _posted_and_read(client, {"email": "hot@plant.example", **OPS_LEAD})

    answer = posted.json()
    assert (answer["stage"], answer["owner"]["email"]) == (Stage.SQL, rep.email)
    assert posted.content == read
