import pytest

from leads.models import Lead, StageTransition
from smarketing.tenancy.roles import Role
from tests.leads.factories import CampaignFactory, LeadFactory

pytestmark = pytest.mark.django_db


def test_posting_a_new_email_creates_a_lead_with_201(tenant, api_client_for):
    response = api_client_for(tenant).post(
        "/api/v1/leads/",
        {"email": "Ada@Example.com", "first_name": "Ada", "company_size": 250, "country": "it"},
    )
    assert response.status_code == 201
    body = response.json()
    assert body["email"] == "ada@example.com"
    assert (body["stage"], body["country"], body["company_size"]) == ("lead", "IT", 250)
    assert body["owner"] is None


def test_the_same_lead_posted_twice_is_one_lead_merged_with_200(tenant, api_client_for):
    client = api_client_for(tenant)
    first = client.post("/api/v1/leads/", {"email": "ada@example.com", "first_name": "Ada"})
    second = client.post(
        "/api/v1/leads/", {"email": "ADA@example.com", "first_name": "", "company": "Analytical"}
    )
    assert second.status_code == 200
    assert second.json()["id"] == first.json()["id"]
    lead = Lead.all_tenants.get()
    # Non-empty incoming fields fill; an empty one never blanks what was there.
    assert (lead.first_name, lead.company) == ("Ada", "Analytical")
    merge = StageTransition.all_tenants.get(lead=lead)
    assert merge.action == "merge" and "company" in merge.note


def test_custom_fields_are_merged_key_by_key(tenant, api_client_for):
    client = api_client_for(tenant)
    client.post(
        "/api/v1/leads/", {"email": "a@x.com", "custom_fields": {"plan": "pro", "seats": 5}}
    )
    client.post("/api/v1/leads/", {"email": "a@x.com", "custom_fields": {"seats": 9, "plan": None}})
    assert Lead.all_tenants.get().custom_fields == {"plan": "pro", "seats": 9}


@pytest.mark.parametrize(
    "field", ["stage", "owner", "score", "tenant", "created_at", "is_cold", "fit_score"]
)
def test_read_only_fields_in_a_body_are_refused_never_applied(tenant, api_client_for, field):
    response = api_client_for(tenant).post("/api/v1/leads/", {"email": "a@x.com", field: "sql"})
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["errors"][field] == ["This field is read-only."]
    assert not Lead.all_tenants.exists()


def test_invalid_fields_get_messages_a_person_understands(tenant, api_client_for):
    response = api_client_for(tenant).post(
        "/api/v1/leads/",
        {"email": "not-an-email", "country": "Italy", "company_size": -3, "colour": "red"},
    )
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert "not a valid e-mail" in errors["email"][0]
    assert "ISO 3166" in errors["country"][0]
    assert "whole number" in errors["company_size"][0]
    assert errors["colour"] == ["Unknown field."]


def test_a_campaign_of_another_tenant_cannot_be_attached(tenant, other_tenant, api_client_for):
    theirs = CampaignFactory(tenant=other_tenant)
    response = api_client_for(tenant).post(
        "/api/v1/leads/", {"email": "a@x.com", "campaign": theirs.pk}
    )
    # A well-formed id of no campaign here: a conflict with the tenant's data, not bad input.
    assert response.status_code == 409
    assert response.json()["code"] == "conflict"
    assert response.json()["errors"]["campaign"] == [f"No campaign {theirs.pk} here."]


def test_patch_updates_fields_and_refuses_stage(tenant, api_client_for):
    lead = LeadFactory(tenant=tenant, company="Old")
    client = api_client_for(tenant, Role.MARKETER)
    response = client.patch(f"/api/v1/leads/{lead.pk}/", {"company": "New"})
    assert response.status_code == 200
    assert response.json()["company"] == "New"
    assert client.patch(f"/api/v1/leads/{lead.pk}/", {"stage": "won"}).status_code == 400


def test_an_integration_key_may_upsert_but_not_move_leads(tenant, api_client_for):
    lead = LeadFactory(tenant=tenant)
    client = api_client_for(tenant)
    assert client.post("/api/v1/leads/", {"email": "new@x.com"}).status_code == 201
    response = client.post(f"/api/v1/leads/{lead.pk}/transition/", {"to": "mql"})
    assert response.status_code == 403


def test_a_sales_rep_cannot_ingest_leads(tenant, api_client_for):
    response = api_client_for(tenant, Role.SALES_REP).post("/api/v1/leads/", {"email": "a@x.com"})
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
