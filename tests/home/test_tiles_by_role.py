"""Which tiles each role's home shows, and that each links to the page behind it."""

import re

import pytest

from smarketing.home.tiles import tiles_for
from smarketing.tenancy.roles import Role
from tests.home.conftest import add_work

pytestmark = pytest.mark.django_db

EXPECTED = {
    Role.SALES_REP: ["queue", "first-touch"],
    Role.MARKETER: ["rejections", "pace", "cold-mqls"],
    Role.MANAGER: ["breaches", "compliance", "goals"],
    Role.ADMIN: ["breaches", "compliance", "goals", "health", "webhooks-failing"],
}


@pytest.mark.parametrize("role", list(EXPECTED))
def test_each_role_sees_its_own_tiles_in_order(role):
    assert [tile.key for tile in tiles_for(role)] == EXPECTED[role]


def test_admin_sees_every_tile_of_the_manager():
    manager = {tile.key for tile in tiles_for(Role.MANAGER)}
    assert manager <= {tile.key for tile in tiles_for(Role.ADMIN)}


@pytest.mark.parametrize("role", list(EXPECTED))
def test_home_renders_the_tiles_of_the_members_role(tenant, people, client_for, active_sla, role):
    active_sla(monthly_mql_target=40, monthly_sql_target=10)
    add_work(tenant, people, 2)
    response = client_for(people[role]).get(f"/t/{tenant.slug}/")
    assert response.status_code == 200
    html = response.content.decode()
    for key in EXPECTED[role]:
        assert f'data-tile="{key}"' in html
    others = {key for keys in EXPECTED.values() for key in keys} - set(EXPECTED[role])
    for key in others:
        assert f'data-tile="{key}"' not in html


def test_every_link_of_every_tile_opens_for_its_role(tenant, people, client_for, active_sla):
    active_sla(monthly_mql_target=40, monthly_sql_target=10)
    add_work(tenant, people, 2)
    for role, keys in EXPECTED.items():
        client = client_for(people[role])
        html = client.get(f"/t/{tenant.slug}/").content.decode()
        for key in keys:
            response = client.get(f"/t/{tenant.slug}/home/tiles/{key}/")
            assert response.status_code == 200, (role, key)
        links = set(re.findall(r'href="(/t/[^"]+)"', html))
        assert links, role
        for link in links:
            assert client.get(link.replace("&amp;", "&")).status_code == 200, (role, link)


def test_a_tile_of_another_role_is_not_found(tenant, people, client_for):
    response = client_for(people[Role.MARKETER]).get(f"/t/{tenant.slug}/home/tiles/health/")
    assert response.status_code == 404
    response = client_for(people[Role.SALES_REP]).get(f"/t/{tenant.slug}/home/tiles/breaches/")
    assert response.status_code == 404


def test_the_admins_health_tile_loads_after_the_page(tenant, people, client_for):
    html = client_for(people[Role.ADMIN]).get(f"/t/{tenant.slug}/").content.decode()
    assert f'hx-get="/t/{tenant.slug}/home/tiles/health/"' in html
    tile = client_for(people[Role.ADMIN]).get(f"/t/{tenant.slug}/home/tiles/health/")
    assert 'data-figure="Database"' in tile.content.decode()


def test_home_of_another_tenant_is_not_found(tenant, other_tenant, people, client_for):
    assert client_for(people[Role.ADMIN]).get(f"/t/{other_tenant.slug}/").status_code == 404
