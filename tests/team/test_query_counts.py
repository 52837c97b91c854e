import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from smarketing.tenancy.roles import Role

pytestmark = pytest.mark.django_db


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize("url", ["/api/v1/members/", "/api/v1/audit/", "/api/v1/api-keys/"])
def test_team_lists_cost_the_same_queries_for_few_or_many_rows(tenant, admin_api, member, url):
    member(tenant, Role.SALES_REP)
    admin_api.patch("/api/v1/tenant/", {"name": "One"}, format="json")
    few = _queries(admin_api, url)
    for n in range(8):
        member(tenant, Role.SALES_REP)
        admin_api.patch("/api/v1/tenant/", {"name": f"Name {n}"}, format="json")
        admin_api.post("/api/v1/api-keys/", {"name": f"k{n}", "kind": "integration"}, format="json")
    assert _queries(admin_api, url) == few


def test_members_page_costs_the_same_queries_for_few_or_many_members(tenant, admin, member):
    from django.test import Client

    client = Client()
    client.force_login(admin)
    url = f"/t/{tenant.slug}/settings/members/"
    member(tenant, Role.SALES_REP)
    client.get(url)  # the first page opened records the tenant in the session, once
    few = _queries(client, url)
    for _ in range(8):
        member(tenant, Role.SALES_REP)
    assert _queries(client, url) == few
