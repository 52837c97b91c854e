"""The goals page: every role reads it; managers set goals with errors beside the fields;
members sign with a button."""

from datetime import UTC, datetime

import pytest
from django.test import Client

from sla.goals.models import Goal
from smarketing.tenancy.roles import Role
from tests.sla.goals.factories import GoalFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _mid_january(clock):
    clock.set(datetime(2027, 1, 15, 12, tzinfo=UTC))


@pytest.fixture
def browse(tenant, member):
    """browse(role) -> (a logged-in page client, its user)."""

    def make(role):
        user = member(tenant, role)
        client = Client()
        client.force_login(user)
        return client, user

    return make


def url(tenant, *parts):
    return "/".join([f"/t/{tenant.slug}/goals", *map(str, parts)]) + "/"


@pytest.mark.parametrize("role", list(Role))
def test_every_role_reads_the_goals_of_a_period(tenant, browse, role):
    GoalFactory(tenant=tenant, period="2027-01", metric="won_revenue", target=50000)
    client, _ = browse(role)
    page = client.get(url(tenant) + "?period=2027-01").content.decode()
    assert "Won revenue" in page and "50,000.00" in page
    assert ("Set a goal" in page) is (role in (Role.MANAGER, Role.ADMIN))


def test_a_manager_sets_a_goal_from_the_page(tenant, browse):
    client, _ = browse(Role.MANAGER)
    body = {"period": "2027-Q1", "metric": "sql_handoffs", "owner": "marketing", "target": "90"}
    response = client.post(url(tenant), body, follow=True)
    assert "Goal set for 2027-Q1" in response.content.decode()
    assert Goal.all_tenants.get(tenant=tenant).period == "2027-Q1"


@pytest.mark.parametrize(
    ("change", "words"),
    [({"period": "2026-12"}, "ended on 31 Dec 2026"), ({"target": "0"}, "must be positive")],
)
def test_a_bad_goal_is_answered_beside_its_field(tenant, browse, change, words):
    client, _ = browse(Role.ADMIN)
    body = {"period": "2027-01", "metric": "mqls", "owner": "both", "target": "10", **change}
    response = client.post(url(tenant), body)
    assert response.status_code == 400
    assert words in response.content.decode()
    assert 'class="field-error"' in response.content.decode()
    assert not Goal.all_tenants.exists()


def test_a_marketer_and_a_rep_sign_with_the_buttons_they_are_offered(tenant, browse):
    goal = GoalFactory(tenant=tenant, period="2027-01", metric="mqls", target=50)
    marketer, _ = browse(Role.MARKETER)
    page = marketer.get(url(tenant) + "?period=2027-01").content.decode()
    assert "Sign for marketing" in page and "Sign for sales" not in page
    signed = marketer.post(url(tenant, goal.pk, "sign"), {"side": "marketing"}, follow=True)
    assert "Signed for marketing." in signed.content.decode()
    rep, rep_user = browse(Role.SALES_REP)
    rep.post(url(tenant, goal.pk, "sign"), {"side": "sales"})
    goal.refresh_from_db()
    assert goal.sales_signed_by == rep_user
    assert "in effect" in rep.get(url(tenant) + "?period=2027-01").content.decode()


def test_a_rep_cannot_sign_for_marketing_from_a_forged_form(tenant, browse):
    goal = GoalFactory(tenant=tenant, period="2027-01")
    rep, _ = browse(Role.SALES_REP)
    response = rep.post(url(tenant, goal.pk, "sign"), {"side": "marketing"}, follow=True)
    assert "may not sign for marketing" in response.content.decode()
    goal.refresh_from_db()
    assert goal.marketing_signed_by is None


def test_only_managers_and_admins_post_goals(tenant, browse):
    client, _ = browse(Role.MARKETER)
    body = {"period": "2027-01", "metric": "mqls", "owner": "both", "target": "10"}
    assert client.post(url(tenant), body).status_code == 403
