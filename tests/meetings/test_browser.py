"""An alignment meeting as people run it in a browser: plan, read the agenda, follow up."""

import pytest
from playwright.sync_api import expect

from smarketing.tenancy.roles import Role
from tests.leads.factories import LeadFactory, StageTransitionFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_marketer_plans_a_meeting_reads_its_agenda_and_closes_an_action_item(
    tenant, member, log_in
):
    marketer = member(tenant, Role.MARKETER, email="mara@acme.example")
    member(tenant, Role.SALES_REP, email="rep@acme.example")
    page = log_in(marketer)

    page.get_by_role("link", name="Meetings").click()
    expect(page.get_by_role("heading", name="Meetings", exact=True)).to_be_visible()
    page.get_by_label("Title").fill("Weekly alignment")
    page.get_by_label("When").fill("2026-03-10T10:00")
    page.get_by_role("button", name="Plan meeting").click()

    expect(page.get_by_role("heading", name="Weekly alignment")).to_be_visible()
    expect(page.get_by_role("heading", name="MQLs 0 — as in the previous period")).to_be_visible()
    # A hand-off in the period shows once the agenda is regenerated.
    StageTransitionFactory(
        lead=LeadFactory(tenant=tenant), to_stage="mql", at="2026-03-05T12:00:00+01:00"
    )
    page.get_by_role("button", name="Regenerate agenda").click()
    expect(page.get_by_role("heading", name="MQLs 1 — up from 0")).to_be_visible()

    page.get_by_label("Action item", exact=True).fill("Call back the webinar leads")
    page.get_by_label("Owner").select_option("rep@acme.example")
    page.get_by_label("Due on").fill("2026-03-20")
    page.get_by_role("button", name="Add action item").click()
    row = page.get_by_role("row", name="Call back the webinar leads")
    expect(row).to_contain_text("rep@acme.example")
    row.get_by_role("button", name="Mark “Call back the webinar leads” done").click()
    expect(page.get_by_role("row", name="Call back the webinar leads")).to_contain_text("Done")
