"""Shared goals in a real browser: a manager sets one, a marketer and a rep sign it, and the
chart draws its actual against the pace and the target."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from sla.goals.models import Goal
from smarketing.periods import current_month
from smarketing.tenancy.roles import Role
from smarketing.tenancy.scope import tenant_scope
from tests.leads.factories import StageTransitionFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _chart_data(page, goal_id: int) -> list:
    return page.evaluate(
        "(id) => Chart.getChart(document.getElementById('goal-chart-' + id)).data.datasets[0].data",
        goal_id,
    )


def test_a_goal_is_set_signed_by_both_sides_and_charted(tenant, member, browser_as):
    for _ in range(3):
        StageTransitionFactory(lead__tenant=tenant, to_stage="mql", at=timezone.now())
    month = current_month(tenant.timezone)

    manager = browser_as(member(tenant, Role.MANAGER), height=1000)
    manager.goto(f"/t/{tenant.slug}/")
    manager.get_by_role("link", name="Goals", exact=True).click()
    expect(manager.get_by_role("heading", name="Shared goals")).to_be_visible()
    expect(manager.get_by_text(f"({month.label}) yet.")).to_be_visible()
    manager.get_by_label("Period", exact=True).select_option(month.label)
    manager.get_by_label("Metric").select_option("mqls")
    manager.get_by_label("Owned by").select_option("marketing")
    manager.get_by_label("Target", exact=True).fill("5")
    manager.get_by_role("button", name="Set goal").click()
    expect(manager.get_by_text(f"Goal set for {month.label}")).to_be_visible()
    with tenant_scope(tenant):
        goal = Goal.objects.get()
    card = manager.locator(f'[data-goal="{goal.pk}"]')
    expect(card.get_by_text("awaiting signatures")).to_be_visible()
    goals_url = manager.url

    marketer_user = member(tenant, Role.MARKETER)
    marketer = browser_as(marketer_user, height=1000)
    marketer.goto(goals_url)
    expect(marketer.get_by_role("button", name="Sign for sales")).to_have_count(0)
    marketer.get_by_role("button", name="Sign for marketing").click()
    expect(marketer.get_by_text("Signed for marketing.")).to_be_visible()

    rep = browser_as(member(tenant, Role.SALES_REP), height=1000)
    rep.goto(goals_url)
    rep.get_by_role("button", name="Sign for sales").click()
    expect(rep.get_by_text("Signed for sales.")).to_be_visible()
    expect(rep.locator(f'[data-goal="{goal.pk}"] .in-effect')).to_have_text("in effect")

    manager.reload()
    expect(manager.locator("#goals-board")).to_have_attribute("data-state", "ready")
    assert manager.locator(f"canvas#goal-chart-{goal.pk}").is_visible()
    actual, expected, target = _chart_data(manager, goal.pk)
    assert (actual, target) == (3, 5)
    assert 0 <= expected <= 5
    status = manager.locator(f'[data-goal="{goal.pk}"] [data-testid="goal-status"]')
    expect(status).to_have_text("On track" if actual >= expected else "At risk")
    with tenant_scope(tenant):
        goal.refresh_from_db()
    assert goal.marketing_signed_by == marketer_user
    assert goal.sales_signed_at is not None
