import pytest

from leads.models import Lead, LeadEvent, StageTransition
from smarketing.tenancy.roles import Role
from tests.leads.factories import LeadEventFactory, LeadFactory, StageTransitionFactory

pytestmark = pytest.mark.django_db


def test_the_same_idempotency_key_and_body_replays_the_first_answer(tenant, api_client_for):
    client = api_client_for(tenant)
    first = client.post("/api/v1/leads/", {"email": "a@x.com"}, HTTP_IDEMPOTENCY_KEY="k-1")
    # The second call must not merge again: same answer, same status.
    again = client.post("/api/v1/leads/", {"email": "a@x.com"}, HTTP_IDEMPOTENCY_KEY="k-1")
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert Lead.all_tenants.count() == 1


def test_the_same_key_with_another_body_answers_422(tenant, api_client_for):
    client = api_client_for(tenant)
    client.post("/api/v1/leads/", {"email": "a@x.com"}, HTTP_IDEMPOTENCY_KEY="k-1")
    response = client.post("/api/v1/leads/", {"email": "b@x.com"}, HTTP_IDEMPOTENCY_KEY="k-1")
    assert response.status_code == 422
    assert response.json()["code"] == "idempotency_key_reused"
    assert not Lead.all_tenants.filter(email="b@x.com").exists()


def test_keys_belong_to_one_tenant(tenant, other_tenant, api_client_for):
    api_client_for(tenant).post("/api/v1/leads/", {"email": "a@x.com"}, HTTP_IDEMPOTENCY_KEY="k")
    theirs = api_client_for(other_tenant).post(
        "/api/v1/leads/", {"email": "a@x.com"}, HTTP_IDEMPOTENCY_KEY="k"
    )
    assert theirs.status_code == 201
    assert Lead.all_tenants.filter(tenant=other_tenant).count() == 1


def test_erasure_anonymises_the_person_and_keeps_the_numbers(tenant, api_client_for):
    lead = LeadFactory(tenant=tenant, email="ada@x.com", first_name="Ada", phone="+39 055",
                       custom_fields={"linkedin": "ada"}, stage="won")  # fmt: skip
    LeadEventFactory(lead=lead, tenant=tenant, properties={"ip": "1.2.3.4"})
    StageTransitionFactory(
        lead=lead, tenant=tenant, to_stage="won", amount=900, note="Ada said yes"
    )
    admin = api_client_for(tenant, Role.ADMIN)
    body = admin.post(f"/api/v1/leads/{lead.pk}/erase/").json()
    assert body["email"].endswith("@erased.invalid")
    assert (body["first_name"], body["phone"], body["custom_fields"]) == ("", "", {})
    assert body["stage"] == "won"
    assert LeadEvent.all_tenants.get(lead=lead).properties == {}
    won = StageTransition.all_tenants.get(lead=lead, to_stage="won", action="move")
    assert (won.amount, won.note) == (900, "")
    # The person can come back later as a new lead.
    again = admin.post("/api/v1/leads/", {"email": "ada@x.com"})
    assert again.status_code == 201
    assert again.json()["id"] != lead.pk


def test_only_admins_erase(tenant, api_client_for):
    lead = LeadFactory(tenant=tenant)
    assert (
        api_client_for(tenant, Role.MANAGER).post(f"/api/v1/leads/{lead.pk}/erase/").status_code
        == 403
    )
