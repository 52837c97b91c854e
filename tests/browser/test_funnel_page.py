"""The funnel page in a real browser: for every role, at a laptop's and a phone's width, its
three charts draw the report's figures, with no console error and no sideways scroll."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from leads.models import Lead
from smarketing.tenancy.roles import Role
from tests.browser.test_every_page import CUT_OFF_TABLES
from tests.leads.factories import CampaignFactory, LeadFactory, StageTransitionFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = (1366, 390)
CHARTS = ("chart-funnel", "chart-velocity", "chart-weeks")


def _history(tenant):
    now = timezone.now()
    campaign = CampaignFactory(tenant=tenant, name="Autumn webinar")
    for index in range(3):
        lead = LeadFactory(tenant=tenant, campaign=campaign)
        entered = now - timedelta(days=20)
        Lead.all_tenants.filter(pk=lead.pk).update(created_at=entered)
        steps = [("move", "mql"), ("move", "sql"), ("accept", "sql"), ("move", "opportunity")]
        for action, to_stage in steps[: index + 2]:
            at = entered + timedelta(hours=6 * (index + 1))
            StageTransitionFactory(lead=lead, action=action, to_stage=to_stage, at=at,
                                   step_started_at=entered)  # fmt: skip
            entered = at


def _datasets(page, canvas_id: str) -> list[dict]:
    return page.evaluate(
        """(id) => Chart.getChart(document.getElementById(id)).data.datasets
                    .map((set) => ({label: set.label, data: set.data}))""",
        canvas_id,
    )


@pytest.mark.parametrize("role", [Role.MANAGER, Role.MARKETER, Role.SALES_REP, Role.ADMIN])
def test_the_funnel_page_draws_its_charts_for_every_role_at_both_widths(
    tenant, member, browser_as, role
):
    _history(tenant)
    page = browser_as(member(tenant, role), height=1000)
    errors: list[str] = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.on("pageerror", lambda error: errors.append(str(error)))
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 1000})
        page.goto(f"/t/{tenant.slug}/reports/funnel/?group_by=campaign")
        expect(page.get_by_role("heading", name="Funnel", exact=True)).to_be_visible()
        expect(page.locator("#funnel-report")).to_have_attribute("data-state", "drawn")
        for canvas_id in CHARTS:
            assert page.locator(f"canvas#{canvas_id}").is_visible(), canvas_id
        counts = _datasets(page, "chart-funnel")[0]["data"]
        assert counts == [3, 3, 3, 2, 1, 0]
        velocity = {d["label"]: d["data"] for d in _datasets(page, "chart-velocity")}
        # 12 hours, as the funnel reports step times: within 1/64 (leads.funnel.durations).
        assert velocity["Median hours"][0] == pytest.approx(12.0, rel=1 / 64)
        weeks = {d["label"]: d["data"] for d in _datasets(page, "chart-weeks")}
        assert sum(weeks["New leads"]) == 3 and sum(weeks["MQLs"]) == 3
        expect(page.get_by_test_id("funnel-groups")).to_contain_text("Autumn webinar")
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"{overflow} px sideways at {width} px"
        if width >= 1366:  # a phone may scroll a table sideways; a laptop shows it whole
            assert page.evaluate(CUT_OFF_TABLES) == []
    assert errors == []


def test_an_empty_funnel_says_so_without_errors(tenant, member, browser_as):
    page = browser_as(member(tenant, Role.MARKETER))
    errors: list[str] = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"/t/{tenant.slug}/reports/funnel/?mode=cohort")
    expect(page.get_by_test_id("funnel-empty")).to_contain_text("Nothing in this range")
    page.locator("select[name=mode]").select_option("flow")
    page.get_by_role("button", name="Show").click()
    expect(page).to_have_url(re.compile(r"mode=flow"))
    assert errors == []
