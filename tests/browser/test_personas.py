"""A persona both teams agree on changes which leads fit, as people see it in a browser."""

import pytest
from playwright.sync_api import expect

from smarketing.tenancy.roles import Role
from tests.leads.factories import LeadFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def fit_on_lead_page(page, tenant, lead) -> str:
    page.goto(f"/t/{tenant.slug}/leads/{lead.pk}/")
    return page.locator(".part-head", has_text="Fit").locator("strong").inner_text()


def test_a_persona_approved_by_both_sides_changes_a_matching_leads_fit(tenant, member, browser_as):
    lead = LeadFactory(
        tenant=tenant, industry="Manufacturing", company_size=120, title="COO", country="IT"
    )
    marketer = browser_as(member(tenant, Role.MARKETER))
    assert fit_on_lead_page(marketer, tenant, lead) == "0"

    # The marketer drafts the persona.
    marketer.goto(f"/t/{tenant.slug}/personas/")
    expect(marketer.get_by_role("heading", name="Personas")).to_be_visible()
    marketer.get_by_role("button", name="New persona").click()
    marketer.get_by_label("Name").fill("COO in manufacturing")
    marketer.get_by_label("Criterion 1 field").select_option("industry")
    marketer.get_by_label("Criterion 1 operator").select_option("in")
    marketer.get_by_label("Criterion 1 value").fill("manufacturing, logistics")
    marketer.get_by_label("Criterion 1 weight").fill("60")
    # A second row appears in place: no save and edit again.
    expect(marketer.get_by_label("Criterion 2 field")).to_have_count(0)
    marketer.get_by_role("button", name="Add a criterion").click()
    marketer.get_by_label("Criterion 2 field").select_option("title")
    marketer.get_by_label("Criterion 2 operator").select_option("contains_any")
    marketer.get_by_label("Criterion 2 value").fill("coo")
    marketer.get_by_label("Criterion 2 weight").fill("40")
    marketer.get_by_role("button", name="Save draft").click()
    expect(marketer.get_by_role("heading", name="COO in manufacturing")).to_be_visible()
    persona_url = marketer.url
    expect(marketer.get_by_role("button", name="Approve for sales")).to_have_count(0)

    # A sales rep approves it for sales.
    rep = browser_as(member(tenant, Role.SALES_REP))
    rep.goto(persona_url)
    rep.get_by_role("button", name="Approve for sales").click()
    expect(rep.get_by_role("status")).to_contain_text("waiting for the other side")
    assert fit_on_lead_page(rep, tenant, lead) == "0"  # one side is not enough

    # The marketer approves it for marketing: now it scores leads.
    marketer.goto(persona_url)
    marketer.get_by_role("button", name="Approve for marketing").click()
    expect(marketer.get_by_role("status")).to_contain_text("approved by both sides")

    assert fit_on_lead_page(marketer, tenant, lead) == "100"
    expect(marketer.get_by_text("Best match:")).to_contain_text("COO in manufacturing")
