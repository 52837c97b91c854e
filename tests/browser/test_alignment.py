"""The alignment loop in a real Chromium: a rejection reaches the bell of the marketer who
handed the lead off while their page is open, and marketing's shortfalls stand beside
sales' breaches on the SLA dashboard, on a laptop and on a phone."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from leads import services as leads
from leads.models import Lead, Stage
from smarketing.tenancy.actors import Actor
from smarketing.tenancy.roles import Role
from smarketing.tenancy.scope import tenant_scope
from tests.leads.factories import LeadFactory
from tests.sla.factories import ShortfallFactory, SlaVersionFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NO_OVERFLOW = "document.documentElement.scrollWidth <= document.documentElement.clientWidth"


def test_a_rejection_shows_in_the_marketers_bell_within_its_refresh(tenant, member, browser_as):
    marketer = member(tenant, Role.MARKETER, email="mara@acme.example")
    rep = member(tenant, Role.SALES_REP, email="rita@acme.example")
    lead = LeadFactory(tenant=tenant, stage=Stage.MQL, first_name="Luca", last_name="Bianchi",
                       company="Politecnico", email="luca@polimi.example")  # fmt: skip
    with tenant_scope(tenant):
        leads.lead_transition(lead=lead, to=Stage.SQL, actor=Actor.member(marketer, Role.MARKETER))

    page = browser_as(marketer)
    page.goto(f"/t/{tenant.slug}/leads/")
    bell = page.get_by_test_id("bell-count")
    expect(bell).to_be_hidden()

    # Sales sends the lead back while the marketer's page stays open.
    with tenant_scope(tenant):
        leads.lead_reject(lead=Lead.objects.get(pk=lead.pk),
                          actor=Actor.member(rep, Role.SALES_REP), reason_code="bad_fit",
                          note="A student writing a thesis, not a buyer.")  # fmt: skip
    # The bell polls every 20 seconds: the count arrives within one refresh, no reload.
    expect(bell).to_have_text("1", timeout=25_000)

    page.get_by_role("link", name=re.compile("Notifications")).click()
    expect(page.get_by_role("heading", name="Notifications")).to_be_visible()
    item = page.locator(".notification").first
    expect(item).to_contain_text("Lead rejected by sales: Luca Bianchi (Politecnico) — Bad fit")
    expect(item).to_contain_text("A student writing a thesis, not a buyer.")
    item.get_by_role("link", name=re.compile("Lead rejected by sales")).click()
    expect(page).to_have_url(re.compile(rf"/t/{tenant.slug}/leads/{lead.pk}/$"))


@pytest.mark.parametrize("width", [1366, 390])
def test_both_sides_breaches_stand_side_by_side_on_the_dashboard(tenant, member, browser_as, width):
    manager = member(tenant, Role.MANAGER, email="boss@acme.example")
    version = SlaVersionFactory(tenant=tenant, active=True, monthly_mql_target=200)
    today = timezone.localdate()
    month = today.replace(day=1)
    ShortfallFactory(tenant=tenant, version=version, period=f"{month:%Y-%m}",
                     period_start=month, term="mqls", status="at_risk",
                     target=Decimal("200"), actual=Decimal("31"),
                     expected=Decimal("64.5"))  # fmt: skip
    previous = (month - timedelta(days=1)).replace(day=1)
    ShortfallFactory(tenant=tenant, version=version, period=f"{previous:%Y-%m}",
                     period_start=previous, term="acceptance_rate", status="missed",
                     target=Decimal("0.6"), actual=Decimal("0.41"), decided=34)  # fmt: skip

    page = browser_as(manager)
    page.set_viewport_size({"width": width, "height": 900})
    errors = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    first = max(previous, today - timedelta(days=60))
    page.goto(f"/t/{tenant.slug}/sla/?from={first:%Y-%m-%d}&to={today:%Y-%m-%d}")
    section = page.get_by_test_id("both-sides")
    expect(section.get_by_role("heading", name="Both sides\u2019 breaches")).to_be_visible()
    expect(section).to_contain_text("Marketing: commitments missed")
    expect(section.locator(".shortfalls li")).to_have_count(2)
    expect(section).to_contain_text(f"MQLs per month in {month:%Y-%m}: 31 of 200")
    expect(section).to_contain_text("64.5 expected by then")
    expect(section).to_contain_text("Minimum acceptance rate in")
    expect(section).to_contain_text("41% of 60%")
    expect(page.locator("#sla-dashboard")).not_to_have_attribute("data-state", "loading")
    assert page.evaluate(NO_OVERFLOW), "the page scrolls sideways"
    assert errors == []
