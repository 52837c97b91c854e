"""Meeting rituals in a browser: a manager sets up a monthly series, the next meeting is
there with its agenda, its invitation downloads and parses, and the SLA review proposes the
next version of the SLA."""

from datetime import timedelta

import pytest
from django.utils import timezone
from icalendar import Calendar
from playwright.sync_api import expect

from meetings.models import Meeting
from meetings.services import sla_reviews_plan
from smarketing.periods import local_today
from smarketing.tenancy.roles import Role
from tests.sla.factories import SlaVersionFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_manager_runs_a_monthly_series_and_the_sla_review_proposes_a_draft(
    tenant, member, log_in
):
    manager = member(tenant, Role.MANAGER, email="boss@acme.example")
    member(tenant, Role.MARKETER, email="mara@acme.example")
    member(tenant, Role.SALES_REP, email="rep@acme.example")
    page = log_in(manager)

    page.get_by_role("link", name="Meetings").first.click()
    page.get_by_role("button", name="Meeting series").click()
    expect(page.get_by_role("heading", name="Meeting series")).to_be_visible()
    page.get_by_label("Name").fill("Monthly smarketing review")
    page.get_by_label("Cadence").select_option("monthly")
    page.get_by_label("Weekday").select_option("Tuesday")
    page.get_by_role("textbox", name="Time").fill("10:00")
    page.get_by_label("Duration (minutes)").fill("60")
    page.get_by_label("Timezone").select_option("Europe/Rome")
    page.get_by_label("mara@acme.example").check()
    page.get_by_label("rep@acme.example").check()
    page.get_by_role("button", name="Create series").click()

    row = page.get_by_role("row", name="Monthly smarketing review")
    expect(row).to_contain_text("mara@acme.example, rep@acme.example")
    row.get_by_role("link").nth(1).click()  # the next meeting
    expect(page.get_by_role("heading", name="Monthly smarketing review")).to_be_visible()
    expect(page.get_by_role("heading", name="Agenda")).to_be_visible()
    expect(page.locator(".agenda-item").first).to_be_visible()
    expect(page.locator("time").first).to_contain_text("Tuesday")

    with page.expect_download() as download:
        page.get_by_role("button", name="Download invite").click()
    [event] = Calendar.from_ical(download.value.path().read_bytes()).walk("VEVENT")
    assert str(event["SUMMARY"]) == "Monthly smarketing review"
    start = event.decoded("DTSTART")
    assert (start.weekday(), start.hour, start.minute) == (1, 10, 0)
    assert sorted(str(a) for a in event.get("ATTENDEE")) == [
        "mailto:mara@acme.example",
        "mailto:rep@acme.example",
    ]

    # The SLA in force is due for review in ten days: the planner plans its review meeting.
    today = timezone.localdate()
    SlaVersionFactory(tenant=tenant, active=True, name="2027 H1",
                      review_on=today + timedelta(days=10))  # fmt: skip
    assert sla_reviews_plan() == 1
    review = Meeting.all_tenants.get(kind="sla_review")
    page.goto(f"/t/{tenant.slug}/meetings/{review.pk}/")
    expect(page.get_by_role("heading", name="SLA change")).to_be_visible()
    expect(page.get_by_role("heading", name="Sales compliance", exact=False)).to_be_visible()
    page.get_by_role("button", name="Propose a change").click()

    expect(page.get_by_text("Draft SLA version", exact=False)).to_be_visible()
    expect(page.get_by_role("link", name="version", exact=False).first).to_be_visible()
    expect(page.locator(".sla-diff")).to_contain_text("2027 H1 (proposed")
    review.refresh_from_db()
    assert review.proposed_sla_version is not None
    # The reviewed period ends by today in the tenant's calendar, not the server's.
    assert review.period_start <= local_today(tenant.timezone)
