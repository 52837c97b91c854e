"""The API refuses what its OpenAPI document calls invalid, and takes what it calls valid.

Each case here was found by the property-based run against the live server
(tests/test_api_properties.py); these pin them down fast, on any database.
"""

import pytest
from drf_spectacular.generators import SchemaGenerator

from smarketing.tenancy.roles import Role
from tests.leads.factories import LeadFactory

pytestmark = pytest.mark.django_db

PROBLEM = "application/problem+json"


@pytest.fixture
def manager(tenant, api_client_for):
    return api_client_for(tenant, Role.MANAGER)


@pytest.mark.parametrize(
    ("path", "query", "field"),
    [
        ("/api/v1/leads/", "page_size=null", "page_size"),
        ("/api/v1/leads/", "page_size=0", "page_size"),
        ("/api/v1/leads/", "page_size=501", "page_size"),
        ("/api/v1/leads/", "page_size=5&page_size=6", "page_size"),
        ("/api/v1/campaigns/", "page_size=2.5", "page_size"),
        ("/api/v1/queue/", "offset=null", "offset"),
        ("/api/v1/queue/", "limit=0", "limit"),
        ("/api/v1/leads/", "score_min=0.5", "score_min"),
        ("/api/v1/leads/", "score_max=101", "score_max"),
        ("/api/v1/leads/", "campaign=1e97", "campaign"),
        ("/api/v1/sla/obligations/", "lead=1.1893464459667849e%2B97", "lead"),
        ("/api/v1/sla/compliance/", "from=", "from"),
        ("/api/v1/sla/compliance/", "team=0", "team"),
        ("/api/v1/sla/compliance/", "group_by=", "group_by"),
        ("/api/v1/feedback/rejections/", "to=", "to"),
    ],
)
def test_query_parameters_the_schema_calls_invalid_are_a_400(manager, path, query, field):
    response = manager.get(f"{path}?{query}")
    assert response.status_code == 400, response.content[:300]
    assert response["Content-Type"].startswith(PROBLEM)
    assert field in response.json()["errors"]


def test_an_empty_format_is_refused_like_an_unknown_one(manager):
    assert manager.get("/api/v1/leads/export.csv?format=").status_code == 404
    assert manager.get("/api/v1/leads/export.csv?format=csv").status_code == 200


@pytest.mark.parametrize(
    ("path", "query"),
    [
        ("/api/v1/leads/", "page_size=500&score_min=0&score_max=100&campaign=9223372036854775807"),
        ("/api/v1/queue/", "limit=200&offset=2147483647"),
        ("/api/v1/sla/compliance/", "from=2026-01-01&to=2026-01-31&group_by=rep"),
        ("/api/v1/feedback/rejections/", "from=2026-01-01&to=2026-01-31&group_by=reason"),
    ],
)
def test_query_parameters_at_the_schema_bounds_are_taken(manager, path, query):
    response = manager.get(f"{path}?{query}")
    assert response.status_code == 200, response.content[:300]


def test_a_team_the_tenant_does_not_have_is_a_404(manager):
    response = manager.get("/api/v1/sla/compliance/?team=9223372036854775807")
    assert response.status_code == 404
    assert response["Content-Type"].startswith(PROBLEM)


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/api/v1/leads/", {"email": "a@x.com", "title": 5}, "title"),
        ("/api/v1/leads/", {"email": "a@x.com", "custom_fields": {"a": [1]}}, "custom_fields.a"),
        ("/api/v1/me/away/", {"away": "yes"}, "away"),
        ("/api/v1/campaigns/", {"name": "Spring", "cost": True}, "cost"),
        ("/api/v1/campaigns/", {"name": "Spring", "slug": 0}, "slug"),
        ("/api/v1/leads/bulk/", {"items": [1, "two"]}, "items[0]"),
    ],
)
def test_a_body_whose_types_the_schema_refuses_is_a_400(tenant, manager, path, body, field):
    response = manager.post(path, body, format="json")
    assert response.status_code == 400, response.content[:300]
    assert field in response.json()["errors"], response.json()


def test_bulk_items_are_answered_one_by_one_whatever_their_fields(manager):
    response = manager.post(
        "/api/v1/leads/bulk/", {"items": [{"email": "ok@x.com"}, {"company": "no e-mail"}]}
    )
    assert response.status_code == 200, response.json()
    assert [item["status"] for item in response.json()["results"]] == ["created", "error"]


def test_decimals_are_taken_as_text_or_number_and_need_a_digit(manager):
    assert manager.post("/api/v1/campaigns/", {"name": "A", "cost": "12.50"}).status_code == 201
    assert manager.post("/api/v1/campaigns/", {"name": "B", "cost": 12.5}).status_code == 201
    assert manager.post("/api/v1/campaigns/", {"name": "C", "cost": "-1"}).status_code == 400
    schema = SchemaGenerator().get_schema(request=None, public=True)
    cost = schema["components"]["schemas"]["CampaignRequest"]["properties"]["cost"]
    text = next(option for option in cost["anyOf"] if option["type"] == "string")
    assert text["pattern"].startswith("^(?:\\d{1,")  # no sign, a digit first


def test_only_the_csv_upload_takes_a_multipart_body(tenant, manager):
    lead = LeadFactory(tenant=tenant)
    response = manager.patch(f"/api/v1/leads/{lead.pk}/", {"title": "CTO"}, format="multipart")
    assert response.status_code == 415
    schema = SchemaGenerator().get_schema(request=None, public=True)
    multipart = [
        f"{method} {path}"
        for path, item in schema["paths"].items()
        for method, operation in item.items()
        if "multipart/form-data" in operation.get("requestBody", {}).get("content", {})
    ]
    # The CSV upload, and its preview before the import.
    assert sorted(multipart) == ["post /api/v1/imports/", "post /api/v1/imports/preview/"]


def test_request_objects_in_the_schema_refuse_unknown_fields():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    components = schema["components"]["schemas"]
    open_bodies = [
        name
        for name, component in components.items()
        if name.endswith("Request") and component.get("additionalProperties") is not False
    ]
    assert open_bodies == []


@pytest.mark.parametrize("query", ["created_before=", "is_cold=null", "stage=", "campaign=0"])
def test_lead_filters_the_schema_calls_invalid_are_a_400(manager, query):
    response = manager.get(f"/api/v1/leads/?{query}")
    assert response.status_code == 400, response.content[:300]


def test_free_text_filters_may_be_blank(manager):
    assert manager.get("/api/v1/leads/?q=&owner=").status_code == 200


def test_a_patch_may_leave_the_email_out_but_not_blank_it(tenant, manager):
    lead = LeadFactory(tenant=tenant)
    assert manager.patch(f"/api/v1/leads/{lead.pk}/", {"title": "CTO"}).status_code == 200
    response = manager.patch(f"/api/v1/leads/{lead.pk}/", {"email": ""})
    assert response.status_code == 400
    assert "email" in response.json()["errors"]


def test_events_answer_a_missing_body_as_the_schema_says(manager):
    schema = SchemaGenerator().get_schema(request=None, public=True)
    assert schema["paths"]["/api/v1/events/"]["post"]["requestBody"]["required"] is True
    assert manager.post("/api/v1/events/").status_code == 400


def test_an_integration_key_may_not_mark_itself_away(tenant, api_client_for):
    response = api_client_for(tenant).post("/api/v1/me/away/", {"away": True})
    assert response.status_code == 403


@pytest.mark.parametrize("cost", ["1e5", "+5", "-", "."])
def test_decimal_text_must_be_written_as_the_schema_says(manager, cost):
    response = manager.post("/api/v1/campaigns/", {"name": f"Cost {cost}", "cost": cost})
    assert response.status_code == 400, response.json()
    assert "cost" in response.json()["errors"]


def test_unknown_fields_in_a_campaign_are_refused(manager):
    response = manager.post("/api/v1/campaigns/", {"name": "Spring", "budget": 5})
    assert response.status_code == 400
    assert response.json()["errors"] == {"budget": ["Unknown field."]}
