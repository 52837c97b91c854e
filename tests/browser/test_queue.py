"""The sales queue in a real Chromium: countdowns, accept, reject with a reason, the feedback
marketing reads, the bell, and two reps pressing Accept on one SQL at once."""

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from leads import services as leads
from leads.models import Lead, Stage
from smarketing.tenancy.actors import Actor
from smarketing.tenancy.roles import Role
from smarketing.tenancy.scope import tenant_scope
from tests.leads.factories import CampaignFactory, LeadFactory
from tests.queue.factories import RoutingSettingsFactory
from tests.sla.factories import SlaVersionFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def hand_off(tenant, marketer, **fields):
    lead = LeadFactory(tenant=tenant, stage=Stage.MQL, **fields)
    with tenant_scope(tenant):
        leads.lead_transition(lead=lead, to=Stage.SQL, actor=Actor.member(marketer, Role.MARKETER))
    return lead


def item(page, email):
    return page.locator(f'.queue-item[data-lead="{email}"]')


def test_a_rep_works_the_queue_and_marketing_reads_the_feedback(tenant, member, browser_as):
    marketer = member(tenant, Role.MARKETER, email="mia@acme.example")
    rep = member(tenant, Role.SALES_REP, email="rita@acme.example")
    SlaVersionFactory(tenant=tenant, active=True, accept_within_hours=4, hot_score=80,
                      hot_accept_within_hours=0.5)  # fmt: skip
    RoutingSettingsFactory(tenant=tenant, mode="round_robin")
    webinar = CampaignFactory(tenant=tenant, name="Smart factory webinar")
    hot = hand_off(tenant, marketer, email="hot@officine.example", first_name="Giulia",
                   last_name="Rossi", company="Officine Rossi", score=91, fit_score=95,
                   engagement_score=80, campaign=webinar)  # fmt: skip
    hand_off(tenant, marketer, email="cool@student.example", first_name="Luca",
             last_name="Bianchi", company="Politecnico", score=55, campaign=webinar)  # fmt: skip

    page = browser_as(rep)
    # Both SQLs were routed to the only rep: two unread notifications.
    expect(page.get_by_test_id("bell-count")).to_have_text("2")
    page.get_by_role("link", name="Queue", exact=True).click()
    expect(page.get_by_role("heading", name="Queue")).to_be_visible()
    expect(page.locator(".queue-item")).to_have_count(2)
    # The hot lead's deadline is the nearest: it comes first, counting down by the second.
    expect(page.locator(".queue-item").first).to_have_attribute("data-lead", hot.email)
    hot_clock = item(page, hot.email).locator("time.countdown")
    expect(hot_clock).to_have_text(re.compile(r"^(29|30)m \d\ds left$"))
    first = hot_clock.inner_text()
    expect(hot_clock).not_to_have_text(first, timeout=5_000)
    expect(item(page, "cool@student.example").locator("time.countdown")).to_have_text(
        re.compile(r"^3h 5\dm left$")
    )
    expect(item(page, hot.email)).to_contain_text("Smart factory webinar")
    expect(item(page, hot.email)).to_contain_text("fit 95")
    if os.environ.get("UPDATE_SCREENSHOTS") == "1":
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "queue.png"), full_page=True)

    item(page, hot.email).get_by_role("button", name="Accept").click()
    expect(page.get_by_text("Accepted: you own this lead now.")).to_be_visible()
    expect(page.locator(".queue-item")).to_have_count(1)
    expect(page.get_by_role("button", name="Log touch")).to_be_visible()  # under my open leads

    cool = item(page, "cool@student.example")
    cool.get_by_label("Reason for rejecting cool@student.example").select_option(label="Bad fit")
    cool.get_by_label("Note for marketing about cool@student.example").fill(
        "A student writing a thesis, not a buyer."
    )
    cool.get_by_role("button", name="Reject").click()
    expect(page.get_by_text("Rejected: the lead went back to marketing")).to_be_visible()
    expect(page.get_by_text("Nothing waiting: the queue is empty.")).to_be_visible()
    assert Lead.all_tenants.get(email="cool@student.example").stage == Stage.RECYCLED

    # A new SQL is routed to the rep while the page is open: the bell updates by itself.
    hand_off(tenant, marketer, email="new@acme-robotics.example", company="Acme Robotics")
    expect(page.get_by_test_id("bell-count")).to_have_text("3", timeout=30_000)
    page.get_by_role("link", name=re.compile("Notifications")).click()
    expect(page.get_by_role("heading", name="Notifications")).to_be_visible()
    page.get_by_role("button", name="Mark all read").click()
    expect(page.get_by_test_id("bell-count")).to_be_hidden()

    # Marketing reads why the lead came back.
    feedback = browser_as(marketer)
    feedback.get_by_role("link", name="Feedback", exact=True).click()
    expect(feedback.get_by_role("heading", name="Feedback from sales")).to_be_visible()
    expect(feedback.get_by_text("A student writing a thesis, not a buyer.")).to_be_visible()
    groups = feedback.get_by_test_id("feedback-groups")
    expect(groups).to_contain_text("Smart factory webinar")
    expect(groups).to_contain_text("50%")
    if os.environ.get("UPDATE_SCREENSHOTS") == "1":
        feedback.screenshot(path=str(SCREENSHOTS / "feedback.png"), full_page=True)
    feedback.get_by_label("Group by").select_option("reason")
    feedback.get_by_role("button", name="Show").click()
    expect(feedback.get_by_test_id("feedback-groups")).to_contain_text("Bad fit")


def test_two_reps_pressing_accept_at_once_one_gets_it_the_other_is_told_who(
    tenant, member, browser_as
):
    marketer = member(tenant, Role.MARKETER, email="mia@acme.example")
    reps = [member(tenant, Role.SALES_REP, email=f"{name}@acme.example")
            for name in ("rita", "sam")]  # fmt: skip
    lead = hand_off(tenant, marketer, email="contested@officine.example")
    pages = [browser_as(rep) for rep in reps]
    for page in pages:
        page.goto(f"/t/{tenant.slug}/queue/")
        expect(item(page, lead.email).get_by_role("button", name="Accept")).to_be_visible()

    # Both forms are submitted before either answer comes back.
    for page in pages:
        item(page, lead.email).locator("form").first.evaluate("form => form.requestSubmit()")
    for page in pages:
        page.wait_for_load_state()
        expect(page.get_by_role("status")).to_be_visible()

    owner = Lead.all_tenants.select_related("owner").get(pk=lead.pk).owner
    assert owner is not None and owner.email in {"rita@acme.example", "sam@acme.example"}
    winner = pages[[rep.pk for rep in reps].index(owner.pk)]
    loser = pages[1 - pages.index(winner)]
    expect(winner.get_by_role("status")).to_have_text("Accepted: you own this lead now.")
    expect(loser.get_by_role("status")).to_have_text(f"{owner.email} accepted this lead already.")
    expect(loser.locator(".queue-item")).to_have_count(0)
