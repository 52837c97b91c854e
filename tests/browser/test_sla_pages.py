"""The SLA pages in a real browser: the compliance charts draw with data; a draft goes from
the editor through both sign-offs to the SLA in force."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from sla.models import SlaStatus, SlaVersion
from smarketing.tenancy.roles import Role
from smarketing.tenancy.scope import tenant_scope
from tests.leads.factories import StageTransitionFactory
from tests.sla.factories import ObligationFactory, SlaVersionFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHARTS = ("chart-on-time", "chart-breaches", "chart-response", "chart-volume", "chart-acceptance")


def _datasets(page, canvas_id: str) -> list[dict]:
    return page.evaluate(
        """(id) => Chart.getChart(document.getElementById(id)).data.datasets
                    .map((set) => ({label: set.label, data: set.data}))""",
        canvas_id,
    )


def test_a_manager_sees_the_compliance_charts_drawn_with_data(tenant, member, browser_as):
    SlaVersionFactory(tenant=tenant, active=True, monthly_mql_target=60, monthly_sql_target=30,
                      min_acceptance_rate="0.7")  # fmt: skip
    rep = member(tenant, Role.SALES_REP, email="rita@acme.example")
    now = timezone.now()
    for days_ago, status, hours in ((2, "met", 1.5), (3, "met", 2.5), (4, "breached", None)):
        opened = now - timedelta(days=days_ago)
        ObligationFactory(
            tenant=tenant, owner=rep, status=status, opened_at=opened,
            met_at=opened + timedelta(hours=hours) if hours else None,
            response_business_hours=hours,
            breached_at=opened + timedelta(hours=4) if status == "breached" else None,
        )  # fmt: skip
    for _ in range(3):
        StageTransitionFactory(lead__tenant=tenant, at=now - timedelta(days=1))
    StageTransitionFactory(lead__tenant=tenant, action="accept", from_stage="sql",
                           to_stage="sql", at=now - timedelta(days=1))  # fmt: skip

    page = browser_as(member(tenant, Role.MANAGER), height=1000)
    page.goto(f"/t/{tenant.slug}/")
    page.get_by_role("link", name="SLA", exact=True).click()
    expect(page.get_by_role("heading", name="SLA compliance")).to_be_visible()
    expect(page.locator("#sla-dashboard")).to_have_attribute("data-state", "ready")

    for canvas_id in CHARTS:
        assert page.locator(f"canvas#{canvas_id}").is_visible()
        datasets = _datasets(page, canvas_id)
        assert datasets, canvas_id
        assert all(len(dataset["data"]) > 0 for dataset in datasets), canvas_id
    breaches = _datasets(page, "chart-breaches")[0]["data"]
    assert breaches == [1]
    on_time = _datasets(page, "chart-on-time")
    assert {d["label"] for d in on_time} == {"Met on time %", "SLA promise"}
    assert any(value is not None and 0 < value < 100 for value in on_time[0]["data"])
    volume = {d["label"]: d["data"] for d in _datasets(page, "chart-volume")}
    assert sum(volume["MQLs"]) == 3
    assert "MQL target" in volume
    acceptance = {d["label"]: d["data"] for d in _datasets(page, "chart-acceptance")}
    assert set(acceptance["Minimum"]) == {70}
    expect(page.locator('[data-tile="breaches"]')).to_have_text("1")
    expect(page.locator('[data-tile="median"]')).to_have_text("2.00 h")


def test_a_draft_is_signed_by_both_sides_and_activated(tenant, member, browser_as):
    manager = browser_as(member(tenant, Role.MANAGER), height=1000)
    manager.goto(f"/t/{tenant.slug}/sla/")
    manager.get_by_role("button", name="New draft").click()
    manager.get_by_label("Name", exact=True).fill("Faster answers")
    manager.get_by_label("Accept within (business hours)").fill("2")
    manager.get_by_label("Hot: accept within").fill("1")
    manager.get_by_label("MQLs per month").fill("150")
    manager.get_by_label("Monday working hours").fill("09:00-13:00, 14:00-18:00")
    manager.get_by_role("button", name="Save draft").click()
    expect(manager.get_by_role("heading", name="SLA version 2: Faster answers")).to_be_visible()
    version_url = manager.url

    marketer = browser_as(member(tenant, Role.MARKETER), height=1000)
    marketer.goto(version_url)
    marketer.get_by_role("button", name="Sign for marketing").click()
    expect(marketer.get_by_text("Signed for marketing.")).to_be_visible()
    expect(marketer.get_by_role("button", name="Sign for sales")).to_have_count(0)

    rep = browser_as(member(tenant, Role.SALES_REP), height=1000)
    rep.goto(version_url)
    rep.get_by_role("button", name="Sign for sales").click()
    expect(rep.get_by_text("Signed for sales.")).to_be_visible()

    manager.reload()
    manager.get_by_role("button", name="Activate").click()
    expect(manager.get_by_text("Version 2 is now the SLA in force.")).to_be_visible()
    expect(manager.locator("h1 .badge")).to_have_text("Active")

    manager.get_by_role("button", name="Compare").click()
    expect(manager.locator("tr.changed", has_text="Accept within")).to_have_count(1)
    with tenant_scope(tenant):
        active = SlaVersion.objects.get(status=SlaStatus.ACTIVE)
    assert (active.name, active.monthly_mql_target) == ("Faster answers", 150)
    assert active.calendar["working_hours"]["mon"] == [["09:00", "13:00"], ["14:00", "18:00"]]
