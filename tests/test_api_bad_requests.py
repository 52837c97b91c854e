"""Bad requests get a problem+json answer from the API, never a server error or an HTML page."""

import json
import re

import pytest
from django.conf import settings
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator

from smarketing.tenancy.roles import Role
from tests.leads.factories import LeadFactory

pytestmark = pytest.mark.django_db

PROBLEM = "application/problem+json"
PROBED_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "TRACE", "QUERY")


def documented_operations() -> dict[str, set[str]]:
    """Path (with ids filled in) -> the methods the OpenAPI document lists for it."""
    schema = SchemaGenerator().get_schema(request=None, public=True)
    operations = {}
    for path, item in schema["paths"].items():
        if not path.startswith("/api/v1/"):
            continue
        concrete = re.sub(r"\{[^}]+\}", "1", path)
        operations[concrete] = {method.upper() for method in item}
    return operations


def assert_problem(response, status: int) -> dict:
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith(PROBLEM), response["Content-Type"]
    body = response.json()
    assert body["status"] == status
    return body


@pytest.mark.parametrize("role", [Role.MANAGER, None], ids=["manager", "integration"])
def test_every_method_an_operation_does_not_offer_is_a_405_with_allow(tenant, api_client_for, role):
    client = api_client_for(tenant, role)
    refused = []
    for path, documented in documented_operations().items():
        for method in PROBED_METHODS:
            if method in documented:
                continue
            response = client.generic(method, path)
            if response.status_code != 405 or not response.get("Allow"):
                refused.append(f"{method} {path}: {response.status_code}")
                continue
            assert response["Content-Type"].startswith(PROBLEM)
            allowed = {m.strip() for m in response["Allow"].split(",")}
            assert method not in allowed
            assert documented <= allowed, f"{path}: Allow {allowed}, documented {documented}"
    assert not refused, "\n".join(refused)


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("PUT", "/api/v1/me/"),
        ("DELETE", "/api/v1/leads/{lead}/"),
        ("DELETE", "/api/v1/events/"),
        ("TRACE", "/api/v1/leads/"),
        ("QUERY", "/api/v1/leads/"),
    ],
)
def test_probed_methods_are_refused_with_405(tenant, api_client_for, method, path):
    lead = LeadFactory(tenant=tenant)
    response = api_client_for(tenant, Role.ADMIN).generic(method, path.format(lead=lead.pk))
    body = assert_problem(response, 405)
    assert body["code"] == "method_not_allowed"
    assert method not in response["Allow"]


@pytest.mark.parametrize("path", ["/api/v1/leads/", "/api/v1/leads/bulk/", "/api/v1/events/"])
def test_json_nested_five_thousand_deep_is_a_400(tenant, api_client_for, path):
    raw = "[" * 5000 + "]" * 5000
    response = api_client_for(tenant).post(path, data=raw, content_type="application/json")
    body = assert_problem(response, 400)
    assert "nested" in body["detail"]


def post_event_with_properties(client, properties):
    event = {
        "email": "nested@x.com",
        "type": "page_view",
        "occurred_at": timezone.now().isoformat(),
        "properties": properties,
    }
    return client.post("/api/v1/events/", data=json.dumps([event]), content_type="application/json")


def test_json_nested_deeper_than_the_limit_inside_a_field_is_a_400(tenant, api_client_for):
    # Shallow enough for Python's parser, deeper than anything the API stores or renders.
    deep = "[" * 100 + "]" * 100
    raw = '[{"email": "deep@x.com", "type": "page_view", "properties": {"a": ' + deep + "}}]"
    response = api_client_for(tenant).post(
        "/api/v1/events/", data=raw, content_type="application/json"
    )
    body = assert_problem(response, 400)
    assert "nested" in body["detail"]


def test_json_nested_within_the_limit_is_taken(tenant, api_client_for):
    LeadFactory(tenant=tenant, email="nested@x.com")
    properties = {"page": {"path": "/pricing", "tags": [["a", {"b": [1, 2]}]]}}
    response = post_event_with_properties(api_client_for(tenant), properties)
    assert response.status_code < 300, response.json()


@pytest.mark.parametrize("idempotency", [False, True], ids=["plain", "idempotent"])
@pytest.mark.parametrize("path", ["/api/v1/leads/", "/api/v1/leads/bulk/", "/api/v1/events/"])
def test_a_body_over_the_size_limit_is_a_413_problem(tenant, api_client_for, path, idempotency):
    size = int(9.5 * 1024 * 1024)
    assert size > settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    raw = json.dumps([{"email": "big@x.com", "company": "x" * size}])
    headers = {"HTTP_IDEMPOTENCY_KEY": "big-body"} if idempotency else {}
    response = api_client_for(tenant).post(
        path, data=raw, content_type="application/json", **headers
    )
    body = assert_problem(response, 413)
    assert body["code"] == "request_too_large"


def test_a_request_refused_before_any_view_ran_is_a_problem_under_the_api(client, settings):
    settings.ALLOWED_HOSTS = ["smarketing.example"]
    response = client.get("/api/v1/leads/", HTTP_HOST="attacker.example")
    assert_problem(response, 400)
    page = client.get("/accounts/login/", HTTP_HOST="attacker.example")
    assert page.status_code == 400
    assert not page["Content-Type"].startswith(PROBLEM)
