"""Bad requests get a problem+json answer from the API, never a server error or an HTML page."""

import re

import pytest
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
