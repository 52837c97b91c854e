"""The persona and scoring API: contract shapes, joint approval, versions, comments."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from leads.models import Lead
from personas.models import (
    BuyerPersona,
    PersonaApproval,
    PersonaComment,
    PersonaVersion,
    RescoreJob,
    ScoringSettings,
)
from smarketing.tenancy.roles import Role
from tests.leads.factories import LeadFactory, StageTransitionFactory
from tests.personas.factories import (
    MANUFACTURING_CRITERIA,
    BuyerPersonaFactory,
    PersonaApprovalFactory,
    RescoreJobFactory,
)
from tests.personas.helpers import approved_persona

pytestmark = pytest.mark.django_db

CONTRACT_BODY = {
    "name": "Operations lead in mid-size manufacturing",
    "summary": "Keeps the plant running.",
    "pains": ["Unplanned downtime"],
    "goals": ["Predictable output"],
    "criteria": MANUFACTURING_CRITERIA,
}
OPS_LEAD = {"industry": "Logistics", "company_size": 80, "title": "COO", "country": "IT"}


def url(*parts) -> str:
    return "/".join(["/api/v1/personas", *map(str, parts)]) + "/"


@pytest.fixture
def marketer(tenant, api_client_for):
    return api_client_for(tenant, Role.MARKETER)


@pytest.fixture
def rep(tenant, api_client_for):
    return api_client_for(tenant, Role.SALES_REP)


def create(client, body=None) -> dict:
    response = client.post(url(), body or CONTRACT_BODY, format="json")
    assert response.status_code == 201, response.json()
    return response.json()


def test_creating_a_persona_makes_a_draft_version_one(marketer):
    body = create(marketer)
    assert body["version"] == 1
    assert body["status"] == "draft"
    assert body["approved_version"] is None
    assert body["missing_approvals"] == ["marketing", "sales"]
    assert body["name"] == CONTRACT_BODY["name"]
    assert body["criteria"] == MANUFACTURING_CRITERIA
    assert body["performance"]["leads"] == 0
    version = PersonaVersion.all_tenants.get()
    assert version.created_by == marketer.user


@pytest.mark.parametrize(
    ("criterion", "message"),
    [
        ({"field": "title", "operator": "range", "value": [1, 2], "weight": 5}, "numeric field"),
        ({"field": "revenue", "operator": "equals", "value": 1, "weight": 5}, "Unknown field"),
        ({"field": "title", "operator": "equals", "value": "x", "weight": 0}, "1 to 100"),
    ],
)
def test_an_invalid_criterion_is_a_problem_naming_it(marketer, criterion, message):
    body = {"name": "X", "criteria": [MANUFACTURING_CRITERIA[0], criterion]}
    response = marketer.post(url(), body, format="json")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert message in response.json()["errors"]["criteria[1]"][0]
    assert not BuyerPersona.all_tenants.exists()


def test_status_cannot_be_set_through_the_body(marketer):
    response = marketer.post(url(), {**CONTRACT_BODY, "status": "approved"}, format="json")
    assert response.status_code == 400
    assert "status" in response.json()["errors"]


def test_an_integration_key_reads_personas_but_cannot_write_them(tenant, api_client_for):
    BuyerPersonaFactory(tenant=tenant)
    integration = api_client_for(tenant)
    assert integration.get(url()).status_code == 200
    assert integration.post(url(), CONTRACT_BODY, format="json").status_code == 403


def test_listing_personas_costs_the_same_queries_for_any_number(tenant, marketer):
    BuyerPersonaFactory(tenant=tenant)
    marketer.get(url())  # the key's first use is recorded once
    with CaptureQueriesContext(connection) as few:
        assert len(marketer.get(url()).json()["results"]) == 1
    for _ in range(4):
        approved_persona(tenant)
    with CaptureQueriesContext(connection) as many:
        assert len(marketer.get(url()).json()["results"]) == 5
    assert len(many) == len(few)


def test_editing_an_unapproved_draft_changes_it_in_place(marketer):
    persona = create(marketer)
    response = marketer.patch(url(persona["id"]), {"summary": "Runs three plants."}, format="json")
    assert response.status_code == 200
    assert (response.json()["version"], response.json()["summary"]) == (1, "Runs three plants.")
    assert PersonaVersion.all_tenants.count() == 1


def test_editing_a_half_approved_draft_starts_a_new_version_and_resets_approval(marketer):
    persona = create(marketer)
    assert marketer.post(url(persona["id"], "approve"), {}, format="json").status_code == 200
    response = marketer.patch(url(persona["id"]), {"goals": ["Fewer stoppages"]}, format="json")
    body = response.json()
    assert (body["version"], body["status"]) == (2, "draft")
    assert body["missing_approvals"] == ["marketing", "sales"]
    assert body["goals"] == ["Fewer stoppages"]
    assert body["pains"] == CONTRACT_BODY["pains"]  # carried over from version 1
    statuses = dict(PersonaVersion.all_tenants.values_list("number", "status"))
    assert statuses == {1: "archived", 2: "draft"}


def test_editing_an_approved_persona_keeps_the_approved_version_scoring(tenant, marketer):
    persona = approved_persona(tenant)
    response = marketer.patch(url(persona.pk), {"name": "Renamed"}, format="json")
    body = response.json()
    assert (body["version"], body["status"], body["approved_version"]) == (2, "draft", 1)
    assert body["name"] == "Renamed"


def test_a_persona_is_approved_when_marketing_and_sales_both_approved(
    tenant, marketer, rep, django_capture_on_commit_callbacks
):
    lead = LeadFactory(tenant=tenant, **OPS_LEAD)
    persona = create(marketer)
    first = marketer.post(url(persona["id"], "approve"), {}, format="json").json()
    assert (first["status"], first["missing_approvals"]) == ("draft", ["sales"])
    lead.refresh_from_db()
    assert lead.fit_score == 0

    with django_capture_on_commit_callbacks(execute=True):
        second = rep.post(url(persona["id"], "approve"), {"version": 1}, format="json")
    body = second.json()
    assert (body["status"], body["approved_version"], body["missing_approvals"]) == (
        "approved", 1, [],
    )  # fmt: skip
    assert [a["side"] for a in body["approvals"]] == ["marketing", "sales"]
    job = RescoreJob.all_tenants.get()
    assert (job.status, job.done, job.total) == ("done", 1, 1)
    lead.refresh_from_db()
    assert (lead.fit_score, lead.persona_id, lead.persona_version) == (100, persona["id"], 1)


def test_a_marketer_cannot_approve_for_sales(marketer):
    persona = create(marketer)
    response = marketer.post(url(persona["id"], "approve"), {"side": "sales"}, format="json")
    assert response.status_code == 403
    assert response.json()["code"] == "approval_not_allowed"
    assert not PersonaApproval.all_tenants.exists()


def test_a_side_approves_a_version_once(tenant, marketer, api_client_for):
    persona = create(marketer)
    marketer.post(url(persona["id"], "approve"), {}, format="json")
    other_marketer = api_client_for(tenant, Role.MARKETER)
    response = other_marketer.post(url(persona["id"], "approve"), {}, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "already_approved"
    assert marketer.user.email in response.json()["detail"]


def test_a_manager_chooses_a_side_and_cannot_approve_both(tenant, marketer, api_client_for):
    manager = api_client_for(tenant, Role.MANAGER)
    persona = create(marketer)
    response = manager.post(url(persona["id"], "approve"), {}, format="json")
    assert (response.status_code, response.json()["code"]) == (400, "side_required")
    assert manager.post(url(persona["id"], "approve"), {"side": "sales"}).status_code == 200
    response = manager.post(url(persona["id"], "approve"), {"side": "marketing"})
    assert response.status_code == 403
    assert PersonaApproval.all_tenants.count() == 1


def test_a_manager_without_a_side_gets_the_one_still_missing(tenant, marketer, api_client_for):
    persona = create(marketer)
    marketer.post(url(persona["id"], "approve"), {}, format="json")
    manager = api_client_for(tenant, Role.ADMIN)
    body = manager.post(url(persona["id"], "approve"), {}, format="json").json()
    assert body["status"] == "approved"
    assert body["approvals"][1]["side"] == "sales"


def test_approving_a_version_that_is_no_longer_current_is_a_conflict(marketer, rep):
    persona = create(marketer)
    marketer.post(url(persona["id"], "approve"), {}, format="json")
    marketer.patch(url(persona["id"]), {"name": "Changed after approval"}, format="json")
    response = rep.post(url(persona["id"], "approve"), {"version": 1}, format="json")
    assert (response.status_code, response.json()["code"]) == (409, "stale_version")


def test_a_persona_without_criteria_cannot_be_approved(marketer):
    persona = create(marketer, {"name": "Vague"})
    response = marketer.post(url(persona["id"], "approve"), {}, format="json")
    assert (response.status_code, response.json()["code"]) == (409, "not_approvable")


def test_versions_list_every_version_newest_first_with_approvals(tenant, marketer):
    persona = approved_persona(tenant)
    PersonaApprovalFactory(
        version=PersonaVersion.all_tenants.get(persona=persona), side="sales", role="sales_rep"
    )
    marketer.patch(url(persona.pk), {"name": "Second"}, format="json")
    body = marketer.get(url(persona.pk, "versions")).json()
    assert [(v["number"], v["status"]) for v in body["results"]] == [(2, "draft"), (1, "approved")]
    assert [a["side"] for a in body["results"][1]["approvals"]] == ["sales"]


def test_both_teams_comment_on_the_current_version(tenant, marketer, rep, api_client_for):
    persona = create(marketer)
    response = rep.post(url(persona["id"], "comments"), {"body": "Add logistics?"})
    assert response.status_code == 201
    assert (response.json()["version"], response.json()["role"]) == (1, "sales_rep")
    marketer.post(url(persona["id"], "comments"), {"body": "Done.", "version": 1})
    bodies = [c["body"] for c in marketer.get(url(persona["id"], "comments")).json()["results"]]
    assert bodies == ["Done.", "Add logistics?"]
    assert rep.post(url(persona["id"], "comments"), {"body": "  "}).status_code == 400
    # Versions count from 1 (the schema says so); one the persona does not have yet conflicts.
    assert rep.post(url(persona["id"], "comments"), {"body": "x", "version": 0}).status_code == 400
    missing = rep.post(url(persona["id"], "comments"), {"body": "x", "version": 9})
    assert missing.status_code == 409
    assert missing.json()["errors"] == {"version": ["This persona has no version 9."]}
    assert api_client_for(tenant).post(url(persona["id"], "comments"), {"body": "x"}).status_code \
        == 403  # fmt: skip
    assert api_client_for(tenant).get(url(persona["id"], "comments")).status_code == 200
    assert PersonaComment.all_tenants.count() == 2


def test_performance_counts_the_funnel_of_the_personas_leads(tenant, marketer):
    persona = approved_persona(tenant)
    leads = [LeadFactory(tenant=tenant, persona_id=persona.pk) for _ in range(4)]
    LeadFactory(tenant=tenant)  # another persona's lead does not count
    for lead in leads[:3]:
        StageTransitionFactory(lead=lead, from_stage="lead", to_stage="mql")
    for lead in leads[:2]:
        StageTransitionFactory(lead=lead, from_stage="mql", to_stage="sql")
    StageTransitionFactory(lead=leads[0], action="accept", from_stage="sql", to_stage="sql")
    StageTransitionFactory(lead=leads[1], action="reject", from_stage="sql", to_stage="recycled",
                           reason_code="no_budget")  # fmt: skip
    StageTransitionFactory(lead=leads[0], from_stage="sql", to_stage="opportunity")
    StageTransitionFactory(lead=leads[0], from_stage="opportunity", to_stage="won",
                           amount=Decimal("5000"))  # fmt: skip

    body = marketer.get(url(persona.pk, "performance")).json()
    assert body == {
        "leads": 4, "mqls": 3, "sqls": 2, "accepted": 1, "rejected": 1, "opportunities": 1,
        "won": 1, "mql_to_sql_rate": 0.667, "acceptance_rate": 0.5,
        "sql_to_opportunity_rate": 0.5, "won_revenue": "5000.00",
        "rejection_reasons": [{"code": "no_budget", "label": "No budget", "count": 1}],
    }  # fmt: skip
    assert marketer.get(url(persona.pk)).json()["performance"]["won_revenue"] == "5000.00"


def test_a_repeated_create_with_an_idempotency_key_makes_one_persona(marketer):
    first = marketer.post(url(), CONTRACT_BODY, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    second = marketer.post(url(), CONTRACT_BODY, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == second.status_code == 201
    assert first.json()["id"] == second.json()["id"]
    assert BuyerPersona.all_tenants.count() == 1


def test_another_tenants_persona_is_not_found(tenant, other_tenant, api_client_for):
    persona = BuyerPersonaFactory(tenant=other_tenant)
    client = api_client_for(tenant, Role.ADMIN)
    assert client.get(url(persona.pk)).status_code == 404
    assert client.post(url(persona.pk, "approve"), {"side": "sales"}).status_code == 404
    assert not PersonaApproval.all_tenants.exists()


# --- scoring settings and jobs -------------------------------------------------------------


def test_scoring_settings_start_from_the_defaults(marketer):
    body = marketer.get("/api/v1/scoring/settings/").json()
    assert (body["half_life_days"], body["fit_weight"], body["engagement_weight"]) == (14, 0.6, 0.4)
    assert body["engagement_weights"]["webinar"] == 15


def test_only_managers_change_scoring_settings(tenant, marketer, api_client_for):
    response = marketer.patch("/api/v1/scoring/settings/", {"fit_weight": 1}, format="json")
    assert response.status_code == 403
    manager = api_client_for(tenant, Role.MANAGER)
    response = manager.patch(
        "/api/v1/scoring/settings/",
        {"fit_weight": 1, "engagement_weights": {"webinar": 30}},
        format="json",
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["fit_weight"], body["engagement_weights"]["webinar"]) == (1, 30)
    assert body["engagement_weights"]["page_view"] == 1  # untouched types keep their weight
    assert body["rescore_job"]["recompute_engagement"] is True
    row = ScoringSettings.all_tenants.get(tenant=tenant)
    assert (row.fit_weight, row.updated_by) == (1, manager.user)


@pytest.mark.parametrize(
    "body",
    [
        {"half_life_days": 0},
        {"fit_weight": 0, "engagement_weight": 0},
        {"engagement_weights": {"telepathy": 3}},
        {"engagement_weights": {"webinar": -1}},
        {"fit_weight": "heavy"},
        {"score": 100},
    ],
)
def test_invalid_scoring_settings_are_refused(tenant, api_client_for, body):
    manager = api_client_for(tenant, Role.MANAGER)
    response = manager.patch("/api/v1/scoring/settings/", body, format="json")
    assert response.status_code == 400
    assert not ScoringSettings.all_tenants.exists()
    assert not RescoreJob.all_tenants.exists()


def test_unchanged_settings_queue_no_rescore(tenant, api_client_for):
    manager = api_client_for(tenant, Role.MANAGER)
    response = manager.patch("/api/v1/scoring/settings/", {"fit_weight": 0.6}, format="json")
    assert response.json()["rescore_job"] is None


def test_a_rescore_job_shows_its_progress(tenant, marketer):
    job = RescoreJobFactory(tenant=tenant, status="running", total=4000, done=1000)
    body = marketer.get(f"/api/v1/scoring/jobs/{job.pk}/").json()
    assert (body["status"], body["total"], body["done"], body["percent"]) == (
        "running", 4000, 1000, 25,
    )  # fmt: skip
    assert [j["id"] for j in marketer.get("/api/v1/scoring/jobs/").json()["results"]] == [job.pk]


def test_leads_api_shows_the_persona_and_breakdown(tenant, marketer, api_client_for):
    persona = approved_persona(tenant)
    integration = api_client_for(tenant)
    response = integration.post("/api/v1/leads/", {"email": "coo@x.example", **OPS_LEAD})
    body = response.json()
    assert (body["persona"], body["fit_score"]) == (persona.pk, 100)
    assert body["score_breakdown"]["persona"]["id"] == persona.pk
    assert Lead.all_tenants.get().score == body["score"]
