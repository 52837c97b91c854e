import os
import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from leads.models import Lead, Stage
from smarketing.tenancy.roles import Role
from tests.leads.factories import CampaignFactory, LeadEventFactory, LeadFactory
from tests.leads.helpers import RICH_BREAKDOWN

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "screenshots" / "lead-detail.png"


@pytest.fixture
def scored_lead(tenant):
    campaign = CampaignFactory(tenant=tenant, name="Smart factory webinar")
    lead = LeadFactory(
        tenant=tenant,
        email="giulia.rossi@officine-rossi.example",
        first_name="Giulia",
        last_name="Rossi",
        company="Officine Rossi",
        title="Head of Operations",
        phone="+39 02 555 0142",
        industry="manufacturing",
        company_size=240,
        country="IT",
        campaign=campaign,
        persona_id=7,
        persona_version=2,
        score=72,
        fit_score=80,
        engagement_score=60,
        score_breakdown=RICH_BREAKDOWN,
        last_activity_at=timezone.now() - timedelta(hours=3),
    )
    now = timezone.now()
    for hours, kind, properties in [
        (3, "webinar", {"title": "Predictive maintenance in practice"}),
        (26, "email_click", {"campaign": "March newsletter"}),
        (50, "page_view", {"url": "/pricing"}),
    ]:
        LeadEventFactory(
            lead=lead, type=kind, occurred_at=now - timedelta(hours=hours), properties=properties
        )
    return lead


def test_marketing_hands_a_lead_off_and_the_first_rep_to_accept_wins(
    tenant, member, browser_as, scored_lead
):
    marketer = member(tenant, Role.MARKETER, email="mia@acme.example")
    first_rep = member(tenant, Role.SALES_REP, email="rita@acme.example")
    second_rep = member(tenant, Role.SALES_REP, email="sam@acme.example")

    # Marketing: from the list to the lead, flag it, hand it off.
    page = browser_as(marketer)
    page.goto(f"/t/{tenant.slug}/leads/")
    expect(page.get_by_role("heading", name="Leads")).to_be_visible()
    page.get_by_role("link", name=scored_lead.email).click()
    expect(page.get_by_test_id("stage")).to_have_text("Lead")
    page.get_by_role("button", name="Flag as MQL").click()
    expect(page.get_by_test_id("stage")).to_have_text("MQL")
    expect(page.get_by_text("Flagged as MQL.")).to_be_visible()
    page.get_by_role("button", name="Hand off to sales").click()
    expect(page.get_by_test_id("stage")).to_have_text("SQL")
    expect(page.get_by_role("button", name="Accept")).to_have_count(0)

    # Two reps open the SQL from the list, filtered to SQLs.
    late = browser_as(second_rep)
    late.goto(f"/t/{tenant.slug}/leads/{scored_lead.pk}/")
    expect(late.get_by_role("button", name="Accept")).to_be_visible()

    rep = browser_as(first_rep)
    rep.goto(f"/t/{tenant.slug}/leads/")
    rep.get_by_label("Stage").select_option("sql")
    expect(rep).to_have_url(re.compile(r"\?stage=sql"))
    expect(rep.locator("#lead-results tbody tr")).to_have_count(1)
    rep.get_by_role("link", name=scored_lead.email).click()
    expect(rep.get_by_role("heading", name="Giulia Rossi")).to_be_visible()
    # The persona is named (and linked) among the fields, and named in the breakdown.
    persona = "Operations lead in mid-size manufacturing"
    expect(rep.get_by_role("link", name=persona)).to_be_visible()
    expect(rep.locator("article.breakdown").get_by_text(persona)).to_be_visible()
    if os.environ.get("UPDATE_SCREENSHOTS") == "1":
        SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
        rep.screenshot(path=str(SCREENSHOT), full_page=True)
    rep.get_by_role("button", name="Accept").click()
    expect(rep.get_by_text("Accepted: you own this lead now.")).to_be_visible()
    expect(rep.get_by_role("button", name="Accept")).to_have_count(0)

    # The second rep still has the old page open and presses Accept too late.
    late.get_by_role("button", name="Accept").click()
    expect(late.get_by_role("status")).to_contain_text(
        "rita@acme.example accepted this lead already."
    )
    lead = Lead.all_tenants.get(pk=scored_lead.pk)
    assert (lead.stage, lead.owner_id) == (Stage.SQL, first_rep.pk)
