"""Every role's home in a real browser: its tiles render, at a laptop's and a phone's width,
with no console error and no horizontal scroll; a tile's figure opens its filtered page."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from smarketing.tenancy.roles import Role
from tests.home.conftest import add_work
from tests.sla.factories import SlaVersionFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = {"desktop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}
TILES = {
    Role.SALES_REP: {"queue": "My queue", "first-touch": "First touches owed"},
    Role.MARKETER: {"rejections": "Rejections from sales", "pace": "Pace against targets",
                    "cold-mqls": "Cold MQLs"},
    Role.MANAGER: {"breaches": "Sales breaches", "compliance": "Compliance", "goals": "Goals"},
    Role.ADMIN: {"breaches": "Sales breaches", "compliance": "Compliance", "goals": "Goals",
                 "health": "Workers' health", "webhooks-failing": "Failing webhook endpoints"},
}  # fmt: skip
OVERFLOW = "document.documentElement.scrollWidth > document.documentElement.clientWidth + 1"


@pytest.fixture
def busy_tenant(tenant, member):
    SlaVersionFactory(tenant=tenant, active=True, monthly_mql_target=40, monthly_sql_target=10)
    people = {role: member(tenant, role, email=f"{role}@acme.example") for role in TILES}
    add_work(tenant, people, 3, now=timezone.now() - timedelta(seconds=5))
    return tenant, people


def _open(chromium, live_server, user, viewport):
    context = chromium.new_context(base_url=live_server.url, viewport=viewport)
    page = context.new_page()
    page.set_default_timeout(15_000)
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto("/accounts/login/")
    page.get_by_label("E-mail").fill(user.email)
    page.get_by_label("Password").fill("correct-horse-battery")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/t/**")
    return context, page, errors


@pytest.mark.parametrize("width", list(WIDTHS))
@pytest.mark.parametrize("role", list(TILES))
def test_every_roles_home_renders_its_tiles(chromium, live_server, busy_tenant, role, width):
    tenant, people = busy_tenant
    context, page, errors = _open(chromium, live_server, people[role], WIDTHS[width])
    try:
        page.goto(f"/t/{tenant.slug}/")
        tiles = page.locator("[data-testid=home-tiles] > article.tile")
        for key, title in TILES[role].items():
            tile = page.locator(f'article.tile[data-tile="{key}"]')
            expect(tile.locator("h2")).to_contain_text(title)
            # Loaded, lazy ones too: each shows its figures and links to the page behind it.
            expect(tile).not_to_have_attribute("aria-busy", "true")
            expect(tile.locator(".tile-figures li").first).to_be_visible()
            href = tile.locator("footer a").get_attribute("href")  # the page behind the tile
            assert href.startswith(("/t/", "/healthz")), (key, href)
        expect(tiles).to_have_count(len(TILES[role]))
        assert not page.evaluate(OVERFLOW), f"{role} home scrolls sideways at {width}"
        assert errors == []
    finally:
        context.close()


def test_a_reps_overdue_figure_opens_the_queue_filtered_to_overdue(chromium, live_server,
                                                                   busy_tenant):  # fmt: skip
    tenant, people = busy_tenant
    context, page, errors = _open(chromium, live_server, people[Role.SALES_REP],
                                  WIDTHS["desktop"])  # fmt: skip
    try:
        page.goto(f"/t/{tenant.slug}/")
        overdue = page.locator('[data-tile="queue"] [data-figure="Overdue"]')
        expect(overdue.locator(".figure-value")).to_have_text("3")
        overdue.get_by_role("link").click()
        page.wait_for_url("**/queue/?overdue=on")
        expect(page.get_by_label("Overdue only")).to_be_checked()
        expect(page.locator(".queue-item.is-overdue").first).to_be_visible()
        assert errors == []
    finally:
        context.close()
