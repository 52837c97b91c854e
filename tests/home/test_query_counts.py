"""Every tile reads a fixed number of queries, for a new tenant and a busy one alike."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from smarketing.home.tiles import tiles_for
from smarketing.tenancy.roles import Role
from smarketing.tenancy.scope import tenant_scope
from tests.home.conftest import add_work, visit_of

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

TILES = [(role, tile.key) for role in Role.values for tile in tiles_for(role)]


def _queries(tenant, people, role, key) -> tuple[int, object]:
    tile = next(tile for tile in tiles_for(role) if tile.key == key)
    visit = visit_of(tenant, people[role], role)
    with tenant_scope(tenant), CaptureQueriesContext(connection) as captured:
        data = tile.build(visit)
    return len(captured), data


@pytest.mark.parametrize(("role", "key"), TILES)
def test_a_tile_costs_the_same_queries_for_few_or_many_rows(
    tenant, people, active_sla, monkeypatch, role, key
):
    # The health tile pings the workers, not the database, beyond its SELECT 1.
    monkeypatch.setattr("smarketing.health._workers", lambda *, timeout: {"ok": True, "count": 1})
    active_sla(monthly_mql_target=40, monthly_sql_target=10)
    add_work(tenant, people, 1)
    few, few_data = _queries(tenant, people, role, key)
    add_work(tenant, people, 12)
    many, many_data = _queries(tenant, people, role, key)
    assert many == few
    # The data did grow: the same count is not that of an empty tile.
    if key != "health":
        assert many_data.figures != few_data.figures or len(many_data.rows) > len(few_data.rows)


@pytest.mark.parametrize("role", Role.values)
def test_the_whole_home_costs_the_same_queries_for_few_or_many_rows(
    tenant, people, active_sla, client_for, role
):
    active_sla(monthly_mql_target=40, monthly_sql_target=10)
    client = client_for(people[role])
    add_work(tenant, people, 1)
    client.get(f"/t/{tenant.slug}/")  # the first visit writes the visit row
    with CaptureQueriesContext(connection) as few:
        assert client.get(f"/t/{tenant.slug}/").status_code == 200
    add_work(tenant, people, 12)
    with CaptureQueriesContext(connection) as many:
        assert client.get(f"/t/{tenant.slug}/").status_code == 200
    assert len(many) == len(few)
