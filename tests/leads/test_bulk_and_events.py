from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from leads.models import Lead, LeadEvent
from smarketing.events.models import OutboxEvent
from smarketing.tenancy.roles import Role
from tests.factories import MembershipFactory
from tests.leads.factories import CampaignFactory, LeadFactory

pytestmark = pytest.mark.django_db


def test_bulk_reports_each_item_and_a_bad_item_sinks_no_other(tenant, api_client_for):
    LeadFactory(tenant=tenant, email="old@x.com", company="Old Co")
    items = [
        {"email": "new@x.com", "first_name": "New"},
        {"email": "broken"},
        {"email": "old@x.com", "title": "CTO"},
        {"email": "NEW@x.com", "company": "Newco"},
    ]
    response = api_client_for(tenant).post("/api/v1/leads/bulk/", {"items": items})
    assert response.status_code == 200
    body = response.json()
    statuses = [r["status"] for r in body["results"]]
    assert statuses == ["created", "error", "updated", "updated"]
    assert body["results"][1]["errors"]["email"]
    assert body["failed"] == 1
    new = Lead.all_tenants.get(email="new@x.com")
    assert (new.first_name, new.company) == ("New", "Newco")
    assert Lead.all_tenants.get(email="old@x.com").company == "Old Co"
    assert OutboxEvent.all_tenants.filter(event_type="lead.created").count() == 1


def test_bulk_refuses_more_than_a_thousand_items(tenant, api_client_for):
    items = [{"email": f"p{i}@x.com"} for i in range(1001)]
    response = api_client_for(tenant).post("/api/v1/leads/bulk/", items)
    assert response.status_code == 400
    assert not Lead.all_tenants.exists()


@pytest.mark.postgres
def test_bulk_writes_leads_in_one_statement_on_postgresql(
    tenant, api_client_for, django_assert_max_num_queries
):
    client = api_client_for(tenant)
    items = [{"email": f"p{i}@x.com", "company": "Acme"} for i in range(500)]
    with django_assert_max_num_queries(25) as captured:
        client.post("/api/v1/leads/bulk/", {"items": items}, format="json")
    inserts = [q["sql"] for q in captured if q["sql"].startswith("INSERT INTO leads_lead")]
    assert len(inserts) == 1
    assert Lead.all_tenants.count() == 500


@pytest.mark.postgres
def test_posting_the_same_bulk_again_changes_nothing(tenant, api_client_for):
    client = api_client_for(tenant)
    items = [{"email": f"p{i}@x.com", "company": "Acme"} for i in range(20)]
    client.post("/api/v1/leads/bulk/", {"items": items}, format="json")
    again = client.post("/api/v1/leads/bulk/", {"items": items}, format="json").json()
    assert again["unchanged"] == 20
    assert {r["status"] for r in again["results"]} == {"unchanged"}


def test_events_update_last_activity_and_report_per_item(tenant, api_client_for):
    lead = LeadFactory(tenant=tenant, email="a@x.com")
    now = timezone.now()
    items = [
        {
            "email": "A@x.com",
            "type": "page_view",
            "occurred_at": (now - timedelta(hours=2)).isoformat(),
        },
        {
            "lead_id": lead.pk,
            "type": "webinar",
            "occurred_at": now.isoformat(),
            "properties": {"id": 7},
        },
        {"email": "nobody@x.com", "type": "page_view", "occurred_at": now.isoformat()},
        {"email": "a@x.com", "type": "telepathy", "occurred_at": now.isoformat()},
        {"email": "a@x.com", "type": "download", "occurred_at": "2027-01-01T10:00:00"},
    ]
    body = api_client_for(tenant).post("/api/v1/events/", items).json()
    assert [r["status"] for r in body["results"]] == [
        "recorded",
        "recorded",
        "error",
        "error",
        "error",
    ]
    assert "No lead" in body["results"][2]["errors"]["email"][0]
    assert "offset" in body["results"][4]["errors"]["occurred_at"][0]
    lead.refresh_from_db()
    assert lead.last_activity_at == now
    assert LeadEvent.all_tenants.filter(lead=lead).count() == 2


def test_a_rep_logs_a_touch_on_a_lead(tenant, api_client_for):
    lead = LeadFactory(tenant=tenant)
    client = api_client_for(tenant, Role.SALES_REP)
    response = client.post(
        f"/api/v1/leads/{lead.pk}/touches/", {"type": "call", "note": "Left a voicemail"}
    )
    assert response.status_code == 201
    event = LeadEvent.all_tenants.get(lead=lead)
    assert (event.type, event.actor, event.properties) == (
        "call",
        client.user,
        {"note": "Left a voicemail"},
    )


def test_the_lead_list_costs_the_same_queries_whatever_the_page_size(tenant, api_client_for):
    client = api_client_for(tenant, Role.MANAGER)
    client.get("/api/v1/leads/")  # warm: the key's last use is recorded once a minute

    def owned_leads(count):
        # Each lead has its own owner and campaign, so a per-row lookup would show in the count.
        for _ in range(count):
            owner = MembershipFactory(tenant=tenant, role=Role.SALES_REP).user
            LeadFactory(tenant=tenant, owner=owner, campaign=CampaignFactory(tenant=tenant))

    owned_leads(3)
    small_page = _queries(client, 3)
    owned_leads(37)
    large_page = _queries(client, 40)

    assert len(small_page.response.json()["results"]) == 3
    assert len(large_page.response.json()["results"]) == 40
    assert len(large_page.queries) == len(small_page.queries), "\n".join(large_page.queries)


@dataclass
class _Captured:
    response: object
    queries: list[str]


def _queries(client, size) -> _Captured:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(f"/api/v1/leads/?page_size={size}")
    return _Captured(response, [q["sql"] for q in ctx.captured_queries])


def test_list_filters_and_search(tenant, api_client_for):
    LeadFactory(tenant=tenant, email="ada@x.com", company="Analytical Engines", score=80)
    LeadFactory(tenant=tenant, email="bob@x.com", company="Builders", score=20, stage="mql")
    client = api_client_for(tenant, Role.MARKETER)

    def emails(query):
        return [r["email"] for r in client.get(f"/api/v1/leads/?{query}").json()["results"]]

    assert emails("q=analytical") == ["ada@x.com"]
    assert emails("stage=mql") == ["bob@x.com"]
    assert emails("score_min=50") == ["ada@x.com"]
    assert emails("ordering=score") == ["bob@x.com", "ada@x.com"]
