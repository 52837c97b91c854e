"""GET /api/v1/queue/ and POST /api/v1/queue/claim/: what a rep may take, most urgent first."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from leads.models import Lead, Stage, StageTransition
from smarketing.events.models import OutboxEvent
from smarketing.tenancy.roles import Role
from tests.leads.factories import CampaignFactory, LeadFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2027, 3, 22, 10, 0, tzinfo=UTC)


def emails(response):
    return [row["email"] for row in response.json()["results"]]


def test_the_queue_lists_waiting_sqls_by_deadline_then_score(tenant, api_client_for, reps):
    rep1, rep2 = reps(2)
    later = LeadFactory(tenant=tenant, stage=Stage.SQL, email="later@x.example", score=90,
                        accept_due_at=NOW + timedelta(hours=3))  # fmt: skip
    sooner = LeadFactory(tenant=tenant, stage=Stage.SQL, email="sooner@x.example", score=40,
                         accept_due_at=NOW + timedelta(hours=1))  # fmt: skip
    LeadFactory(tenant=tenant, stage=Stage.SQL, email="no-sla-cool@x.example", score=10)
    LeadFactory(tenant=tenant, stage=Stage.SQL, email="no-sla-hot@x.example", score=95)
    LeadFactory(tenant=tenant, stage=Stage.SQL, email="mine@x.example", owner=rep1,
                accept_due_at=NOW + timedelta(hours=2))  # fmt: skip
    LeadFactory(tenant=tenant, stage=Stage.SQL, email="routed-elsewhere@x.example", owner=rep2)
    LeadFactory(
        tenant=tenant, stage=Stage.SQL, email="taken@x.example", owner=rep2, accepted_at=NOW
    )
    LeadFactory(tenant=tenant, stage=Stage.MQL, email="mql@x.example")

    response = api_client_for(tenant, user=rep1).get("/api/v1/queue/")

    assert response.status_code == 200
    assert emails(response) == ["sooner@x.example", "mine@x.example", "later@x.example",
                                "no-sla-hot@x.example", "no-sla-cool@x.example"]  # fmt: skip
    rows = {row["email"]: row for row in response.json()["results"]}
    assert rows["mine@x.example"]["routed_to_me"] is True
    assert rows["sooner@x.example"]["accept_due_at"].startswith("2027-03-22T11:00")
    assert response.json()["count"] == 5
    assert sooner.pk and later.pk


def test_a_manager_sees_sqls_routed_to_anyone(tenant, api_client_for, reps, manager):
    [rep] = reps(1)
    LeadFactory(tenant=tenant, stage=Stage.SQL, email="routed@x.example", owner=rep)
    response = api_client_for(tenant, user=manager).get("/api/v1/queue/")
    assert emails(response) == ["routed@x.example"]


def test_a_row_says_overdue_and_names_its_campaign(tenant, api_client_for, reps):
    campaign = CampaignFactory(tenant=tenant, name="Spring webinar")
    LeadFactory(tenant=tenant, stage=Stage.SQL, campaign=campaign, persona_id=3, score=70,
                fit_score=80, engagement_score=55,
                accept_due_at=datetime(2020, 1, 1, tzinfo=UTC))  # fmt: skip
    [row] = api_client_for(tenant, user=reps(1)[0]).get("/api/v1/queue/").json()["results"]
    assert row["overdue"] is True
    assert (row["campaign_name"], row["persona"], row["fit_score"]) == ("Spring webinar", 3, 80)


def test_marketers_and_integrations_do_not_work_the_queue(tenant, api_client_for):
    assert api_client_for(tenant, Role.MARKETER).get("/api/v1/queue/").status_code == 403
    assert api_client_for(tenant).post("/api/v1/queue/claim/").status_code == 403


def test_the_queue_costs_the_same_queries_for_two_rows_or_forty(tenant, api_client_for, reps):
    client = api_client_for(tenant, user=reps(1)[0])
    campaign = CampaignFactory(tenant=tenant)

    def count_queries():
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/api/v1/queue/").status_code == 200
        return len(queries)

    count_queries()  # the key's first use is recorded once
    LeadFactory.create_batch(2, tenant=tenant, stage=Stage.SQL, campaign=campaign)
    few = count_queries()
    LeadFactory.create_batch(38, tenant=tenant, stage=Stage.SQL, campaign=campaign)
    assert count_queries() == few


def test_claim_accepts_the_most_urgent_sql_for_the_caller(tenant, api_client_for, reps):
    rep = reps(1)[0]
    LeadFactory(tenant=tenant, stage=Stage.SQL, email="later@x.example",
                accept_due_at=NOW + timedelta(hours=3))  # fmt: skip
    urgent = LeadFactory(tenant=tenant, stage=Stage.SQL, email="urgent@x.example",
                         accept_due_at=NOW + timedelta(minutes=5))  # fmt: skip

    response = api_client_for(tenant, user=rep).post("/api/v1/queue/claim/")

    assert response.status_code == 200
    assert response.json()["email"] == "urgent@x.example"
    assert response.json()["owner"] == {"id": rep.pk, "email": rep.email}
    urgent.refresh_from_db()
    assert urgent.owner_id == rep.pk and urgent.accepted_at is not None
    assert StageTransition.all_tenants.filter(lead=urgent, action="accept", actor=rep).exists()
    assert OutboxEvent.all_tenants.filter(event_type="lead.accepted", data__id=urgent.pk).exists()


def test_claim_skips_sqls_routed_to_someone_else(tenant, api_client_for, reps):
    rep1, rep2 = reps(2)
    LeadFactory(tenant=tenant, stage=Stage.SQL, owner=rep2, accept_due_at=NOW)
    free = LeadFactory(tenant=tenant, stage=Stage.SQL, accept_due_at=NOW + timedelta(hours=1))
    response = api_client_for(tenant, user=rep1).post("/api/v1/queue/claim/")
    assert response.json()["id"] == free.pk


def test_claim_answers_204_when_the_queue_is_empty(tenant, api_client_for, reps):
    rep1, rep2 = reps(2)
    LeadFactory(tenant=tenant, stage=Stage.SQL, accepted_at=NOW, owner=rep2)
    response = api_client_for(tenant, user=rep1).post("/api/v1/queue/claim/")
    assert response.status_code == 204
    assert not response.content


def test_a_second_claim_takes_the_next_sql(tenant, api_client_for, reps):
    rep1, rep2 = reps(2)
    first = LeadFactory(tenant=tenant, stage=Stage.SQL, accept_due_at=NOW)
    second = LeadFactory(tenant=tenant, stage=Stage.SQL, accept_due_at=NOW + timedelta(hours=1))
    taken = [api_client_for(tenant, user=rep).post("/api/v1/queue/claim/").json()["id"]
             for rep in (rep1, rep2)]  # fmt: skip
    assert taken == [first.pk, second.pk]
    assert set(Lead.all_tenants.values_list("owner_id", flat=True)) == {rep1.pk, rep2.pk}


def test_accepting_a_taken_sql_says_who_took_it(tenant, api_client_for, reps):
    rep1, rep2 = reps(2)
    lead = LeadFactory(tenant=tenant, stage=Stage.SQL)
    api_client_for(tenant, user=rep1).post("/api/v1/queue/claim/")
    response = api_client_for(tenant, user=rep2).post(f"/api/v1/leads/{lead.pk}/accept/")
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "already_accepted"
    assert "rep1@acme.example" in body["detail"]
    assert body["accepted_by"]["email"] == "rep1@acme.example"
