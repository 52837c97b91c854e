"""Shared goals through the API: set by managers, signed by both sides, refused on bad input
with problem+json, audited, and invisible to other tenants."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from sla.goals.models import Goal
from sla.goals.services import goal_create
from smarketing.errors import Forbidden
from smarketing.tenancy.actors import Actor
from smarketing.tenancy.audit_models import AuditEntry
from smarketing.tenancy.roles import Role
from smarketing.tenancy.scope import tenant_scope
from tests.sla.goals.factories import GoalFactory

pytestmark = pytest.mark.django_db

PROBLEM = "application/problem+json"
# Mid-January 2027 in the tenant's zone (Europe/Rome).
MID_JANUARY = datetime(2027, 1, 15, 12, tzinfo=UTC)
GOAL = {"period": "2027-01", "metric": "mqls", "target": 120, "owner": "marketing"}


@pytest.fixture(autouse=True)
def _mid_january(clock):
    clock.set(MID_JANUARY)


def audit_of(tenant) -> list[tuple[str, dict]]:
    return list(AuditEntry.all_tenants.filter(tenant=tenant, action__startswith="goal.")
                .order_by("id").values_list("action", "changes"))  # fmt: skip


def test_a_manager_sets_a_goal_for_a_month_and_a_quarter(tenant, clients):
    created = clients[Role.MANAGER].post("/api/v1/goals/", GOAL, format="json")
    assert created.status_code == 201, created.json()
    body = created.json()
    assert (body["period"], body["metric"], body["target"], body["owner"]) == (
        "2027-01", "mqls", 120, "marketing",
    )  # fmt: skip
    assert (body["starts_on"], body["ends_on"]) == ("2027-01-01", "2027-01-31")
    assert body["signatures"] == {"marketing": None, "sales": None}
    assert body["in_effect"] is False
    quarter = clients[Role.ADMIN].post(
        "/api/v1/goals/",
        {"period": "2027-q1", "metric": "acceptance_rate", "target": 0.65, "owner": "both"},
        format="json",
    )
    assert quarter.status_code == 400  # the quarter is spelled with a capital Q
    quarter = clients[Role.ADMIN].post(
        "/api/v1/goals/",
        {"period": "2027-Q1", "metric": "acceptance_rate", "target": 0.65, "owner": "both"},
        format="json",
    )
    assert quarter.status_code == 201, quarter.json()
    assert quarter.json()["ends_on"] == "2027-03-31"
    listed = clients[Role.SALES_REP].get("/api/v1/goals/").json()["results"]
    # Newest period first; the month and the quarter start on the same day: by metric then.
    assert [(g["period"], g["metric"]) for g in listed] == [
        ("2027-Q1", "acceptance_rate"), ("2027-01", "mqls"),
    ]  # fmt: skip
    only_q1 = clients[Role.SALES_REP].get("/api/v1/goals/?period=2027-Q1").json()["results"]
    assert [g["metric"] for g in only_q1] == ["acceptance_rate"]
    assert [action for action, _ in audit_of(tenant)] == ["goal.created", "goal.created"]
    assert Decimal(audit_of(tenant)[0][1]["target"]) == 120


@pytest.mark.parametrize("role", [Role.MARKETER, Role.SALES_REP])
def test_only_managers_and_admins_set_goals(tenant, clients, role):
    response = clients[role].post("/api/v1/goals/", GOAL, format="json")
    assert response.status_code == 403
    assert response["Content-Type"].startswith(PROBLEM)
    assert not Goal.all_tenants.exists()


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"target": 0}, "target", "positive"),
        ({"target": -5}, "target", "positive"),
        ({"target": 10.5}, "target", "whole number"),
        ({"metric": "acceptance_rate", "target": 1.5}, "target", "from 0 to 1"),
        ({"metric": "won_revenue", "target": 10.005}, "target", "two decimals"),
        ({"period": "2027-13"}, "period", "YYYY-MM"),
        ({"period": "0000-01"}, "period", "0002-01"),
        ({"period": "0001-01"}, "period", "0002-01"),
        ({"metric": "revenue"}, "metric", ""),
        ({"owner": "finance"}, "owner", ""),
        ({"colour": "red"}, "colour", ""),
    ],
)
def test_bad_goals_are_refused_with_a_problem_naming_the_field(clients, change, field, words):
    response = clients[Role.MANAGER].post("/api/v1/goals/", {**GOAL, **change}, format="json")
    assert response.status_code == 400, response.content[:300]
    assert response["Content-Type"].startswith(PROBLEM)
    assert words in response.json()["errors"][field][0]
    assert not Goal.all_tenants.exists()


@pytest.mark.parametrize(("period", "words"), [("2026-12", "ended on 31 Dec 2026"),
                                               ("2026-Q4", "ended")])  # fmt: skip
def test_a_goal_for_a_period_that_ended_is_a_conflict_naming_the_period(clients, period, words):
    response = clients[Role.MANAGER].post("/api/v1/goals/", {**GOAL, "period": period},
                                          format="json")  # fmt: skip
    assert response.status_code == 409, response.content[:300]
    assert response.json()["code"] == "conflict"
    assert words in response.json()["errors"]["period"][0]
    assert not Goal.all_tenants.exists()


def test_a_second_goal_on_the_same_metric_and_period_is_a_conflict(clients):
    assert clients[Role.MANAGER].post("/api/v1/goals/", GOAL, format="json").status_code == 201
    again = clients[Role.ADMIN].post("/api/v1/goals/", {**GOAL, "target": 90}, format="json")
    assert again.status_code == 409
    assert again.json()["code"] == "goal_exists"
    assert Goal.all_tenants.get().target == 120


def test_a_marketer_and_a_rep_sign_without_naming_their_side(tenant, clients):
    goal = clients[Role.MANAGER].post("/api/v1/goals/", GOAL, format="json").json()
    sign = f"/api/v1/goals/{goal['id']}/sign/"

    marketing = clients[Role.MARKETER].post(sign, {}, format="json")
    assert marketing.status_code == 200, marketing.json()
    assert marketing.json()["signatures"]["marketing"]["by"]["email"] == (
        clients[Role.MARKETER].user.email
    )
    assert marketing.json()["in_effect"] is False
    sales = clients[Role.SALES_REP].post(sign, format="json")
    assert sales.status_code == 200, sales.json()
    assert sales.json()["signatures"]["sales"]["by"]["email"] == clients[Role.SALES_REP].user.email
    assert sales.json()["in_effect"] is True
    signed = [changes for action, changes in audit_of(tenant) if action == "goal.signed"]
    assert signed == [{"side": "marketing", "in_effect": False},
                      {"side": "sales", "in_effect": True}]  # fmt: skip


def test_a_manager_must_name_the_side_and_cannot_sign_both(clients):
    goal = clients[Role.MANAGER].post("/api/v1/goals/", GOAL, format="json").json()
    sign = f"/api/v1/goals/{goal['id']}/sign/"
    manager = clients[Role.MANAGER]

    unnamed = manager.post(sign, {}, format="json")
    assert unnamed.status_code == 400
    assert "side" in unnamed.json()["errors"]
    assert manager.post(sign, {"side": "sales"}, format="json").status_code == 200
    both = manager.post(sign, {"side": "marketing"}, format="json")
    assert both.status_code == 403
    assert "someone else" in both.json()["detail"]
    assert Goal.all_tenants.get().marketing_signed_by is None


def test_a_side_signs_for_its_own_team_once(tenant, clients, api_client_for):
    goal = clients[Role.MANAGER].post("/api/v1/goals/", GOAL, format="json").json()
    sign = f"/api/v1/goals/{goal['id']}/sign/"
    wrong_team = clients[Role.MARKETER].post(sign, {"side": "sales"}, format="json")
    assert wrong_team.status_code == 403
    assert clients[Role.MARKETER].post(sign, format="json").status_code == 200
    again = clients[Role.MARKETER].post(sign, format="json")
    assert again.status_code == 200  # one's own signature again changes nothing
    second = api_client_for(tenant, Role.MARKETER).post(sign, format="json")
    assert second.status_code == 409
    assert second.json()["code"] == "already_signed"
    assert [a for a, _ in audit_of(tenant)] == ["goal.created", "goal.signed"]


def test_a_goal_whose_period_ended_takes_no_signature(tenant, clients, clock):
    goal = clients[Role.MANAGER].post("/api/v1/goals/", GOAL, format="json").json()
    clock.set(datetime(2027, 2, 1, 9, tzinfo=UTC))
    late = clients[Role.MARKETER].post(f"/api/v1/goals/{goal['id']}/sign/", format="json")
    assert late.status_code == 409
    assert late.json()["code"] == "period_ended"
    assert late["Content-Type"].startswith(PROBLEM)


def test_another_tenants_goal_is_a_404(tenant, other_tenant, clients):
    theirs = GoalFactory(tenant=other_tenant)
    for client in (clients[Role.MANAGER], clients[Role.MARKETER]):
        assert client.get(f"/api/v1/goals/{theirs.pk}/").status_code == 404
        assert client.post(f"/api/v1/goals/{theirs.pk}/sign/", format="json").status_code == 404
    assert clients[Role.MANAGER].get("/api/v1/goals/").json()["results"] == []
    board = clients[Role.MANAGER].get(f"/api/v1/goals/scoreboard/?period={theirs.period}")
    assert board.json()["goals"] == []
    theirs.refresh_from_db()
    assert theirs.marketing_signed_by is None


def test_the_service_refuses_a_marketer_setting_a_goal_without_any_view_asking(tenant, member):
    marketer = Actor.member(member(tenant, Role.MARKETER), Role.MARKETER)
    with tenant_scope(tenant), pytest.raises(Forbidden):
        goal_create(tenant=tenant, actor=marketer, period="2027-01", metric="mqls",
                    target=10, owner="marketing")  # fmt: skip
    assert not Goal.all_tenants.exists()
