"""The scoreboard: each goal's actual from the funnel's figures, the figure expected by now
at the agreed pace (business time), and its status; periods are the tenant's own."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sla.goals.selectors import goal_scoreboard
from smarketing.periods import parse_named
from smarketing.tenancy.roles import Role
from smarketing.tenancy.scope import tenant_scope
from tests.factories import TenantFactory
from tests.leads.factories import StageTransitionFactory
from tests.sla.goals.factories import GoalFactory

pytestmark = pytest.mark.django_db

# January 2027 in Rome runs from 2026-12-31 23:00 UTC to 2027-01-31 23:00 UTC (31 days);
# at this instant exactly 16 of them have passed.
SIXTEEN_DAYS_IN = datetime(2027, 1, 16, 23, tzinfo=UTC)
JANUARY_START = datetime(2026, 12, 31, 23, tzinfo=UTC)


def moved(tenant, at, to_stage="mql", action="move", amount=None, reason_code=""):
    return StageTransitionFactory(lead__tenant=tenant, at=at, action=action, to_stage=to_stage,
                                  amount=amount, reason_code=reason_code)  # fmt: skip


@pytest.fixture
def january(tenant, active_sla):
    """An SLA in force whose calendar never closes (business time = time), five goals and
    the month's moves so far; one move half an hour before the month began in Rome."""
    active_sla()
    goals = {
        "mqls": GoalFactory(tenant=tenant, period="2027-01", metric="mqls", target=310),
        "pipeline": GoalFactory(tenant=tenant, period="2027-01", metric="pipeline", target=1000),
        "accepted_sqls": GoalFactory(tenant=tenant, period="2027-01", metric="accepted_sqls",
                                     target=3, owner="sales"),
        "acceptance_rate": GoalFactory(tenant=tenant, period="2027-01", owner="both",
                                       metric="acceptance_rate", target=Decimal("0.6")),
        "won_revenue": GoalFactory(tenant=tenant, period="2027-01", metric="won_revenue",
                                   target=31000, owner="sales"),
    }  # fmt: skip
    moved(tenant, JANUARY_START - timedelta(minutes=30))  # 31 December in Rome: not counted
    moved(tenant, JANUARY_START + timedelta(minutes=30))
    moved(tenant, datetime(2027, 1, 10, tzinfo=UTC))
    moved(tenant, datetime(2027, 1, 11, tzinfo=UTC), to_stage="opportunity", amount=600)
    moved(tenant, datetime(2027, 1, 12, tzinfo=UTC), to_stage="opportunity", amount=500)
    moved(tenant, datetime(2027, 1, 12, tzinfo=UTC), to_stage="opportunity")  # no amount
    for day in (13, 14):
        moved(tenant, datetime(2027, 1, day, tzinfo=UTC), action="accept", to_stage="sql")
    moved(tenant, datetime(2027, 1, 14, tzinfo=UTC), action="reject", to_stage="recycled",
          reason_code="bad_fit")  # fmt: skip
    moved(tenant, datetime(2027, 1, 15, tzinfo=UTC), action="reject", to_stage="recycled",
          reason_code="went_cold")  # the cold sweep's recycle is no rejection  # fmt: skip
    return goals


def board(client, period="2027-01"):
    response = client.get(f"/api/v1/goals/scoreboard/?period={period}")
    assert response.status_code == 200, response.json()
    return response.json()


def test_each_goal_has_its_actual_its_pace_and_its_status(tenant, january, clock,
                                                          api_client_for):  # fmt: skip
    clock.set(SIXTEEN_DAYS_IN)
    body = board(api_client_for(tenant, Role.SALES_REP))
    assert (body["period"], body["starts_on"], body["ends_on"]) == (
        "2027-01", "2027-01-01", "2027-01-31",
    )  # fmt: skip
    assert body["timezone"] == "Europe/Rome"
    assert body["elapsed_share"] == pytest.approx(16 / 31)
    rows = {row["metric"]: row for row in body["goals"]}
    figures = {m: (r["target"], r["actual"], r["expected_by_now"], r["status"])
               for m, r in rows.items()}  # fmt: skip
    assert figures == {
        "mqls": (310, 2, 160, "at_risk"),
        "pipeline": (1000, 1100, pytest.approx(516.13), "met"),
        "accepted_sqls": (3, 2, pytest.approx(1.55), "on_track"),
        "acceptance_rate": (0.6, pytest.approx(0.667), 0.6, "on_track"),
        "won_revenue": (31000, 0, 16000, "at_risk"),
    }
    assert rows["mqls"]["in_effect"] is False


def test_after_the_period_each_goal_is_met_or_missed(tenant, january, clock, api_client_for):
    clock.set(datetime(2027, 2, 2, 9, tzinfo=UTC))
    body = board(api_client_for(tenant, Role.MANAGER))
    assert body["elapsed_share"] == 1
    statuses = {row["metric"]: row["status"] for row in body["goals"]}
    assert statuses == {"mqls": "missed", "pipeline": "met", "accepted_sqls": "missed",
                        "acceptance_rate": "met", "won_revenue": "missed"}  # fmt: skip


def test_without_an_sla_the_pace_runs_on_the_office_hours(tenant, clock, api_client_for):
    """No SLA in force: the tenant's office hours (weekdays in Rome) pace the goal, so the
    weekend adds nothing: 5 of February's 20 working days have passed on Saturday."""
    GoalFactory(tenant=tenant, period="2027-02", metric="mqls", target=200)
    client = api_client_for(tenant, Role.MARKETER)
    clock.set(datetime(2027, 2, 6, 11, tzinfo=UTC))  # Saturday noon in Rome
    saturday = board(client, "2027-02")["goals"][0]["expected_by_now"]
    clock.set(datetime(2027, 2, 8, 7, tzinfo=UTC))  # Monday 08:00, before opening
    monday = board(client, "2027-02")["goals"][0]["expected_by_now"]
    assert saturday == monday == 50


def test_the_scoreboard_reads_a_fixed_number_of_queries(tenant, january, clock):
    clock.set(SIXTEEN_DAYS_IN)
    period = parse_named("2027-01", tz_name=tenant.timezone)
    with tenant_scope(tenant), CaptureQueriesContext(connection) as five_goals:
        goal_scoreboard(tenant=tenant, period=period)
    GoalFactory(tenant=tenant, period="2027-01", metric="sql_handoffs", target=5)
    with tenant_scope(tenant), CaptureQueriesContext(connection) as six_goals:
        scores = goal_scoreboard(tenant=tenant, period=period).scores
    assert len(scores) == 6
    assert len(six_goals) == len(five_goals) <= 4


def test_a_bad_period_on_the_scoreboard_is_a_problem(tenant, api_client_for):
    response = api_client_for(tenant, Role.MANAGER).get("/api/v1/goals/scoreboard/?period=2027-1")
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/problem+json")
    assert "period" in response.json()["errors"]


@pytest.mark.parametrize(
    ("zone", "january_open", "month_of_the_move"),
    [("Pacific/Auckland", False, "2027-02"), ("America/Los_Angeles", True, "2027-01")],
)
def test_periods_are_the_tenants_own_far_ahead_and_far_behind(
    clock, api_client_for, zone, january_open, month_of_the_move
):
    """At 2027-01-31 12:00 UTC it is already February in Auckland and still January
    morning in Los Angeles: January takes goals in one and not the other, and a move at
    that instant counts in each tenant's own month."""
    tenant = TenantFactory(slug=zone.split("/")[1].lower().replace("_", "-"), timezone=zone)
    instant = clock.set(datetime(2027, 1, 31, 12, tzinfo=UTC))
    manager = api_client_for(tenant, Role.MANAGER)
    goal = {"period": "2027-01", "metric": "mqls", "target": 10, "owner": "marketing"}
    created = manager.post("/api/v1/goals/", goal, format="json")
    assert (created.status_code == 201) is january_open, created.json()
    if not january_open:
        assert "ended on 31 Jan 2027" in created.json()["errors"]["period"][0]
    for month in ("2027-01", "2027-02"):
        GoalFactory(tenant=tenant, period=month, metric="sql_handoffs", target=5)
    moved(tenant, instant, to_stage="sql")
    for month in ("2027-01", "2027-02"):
        row = next(r for r in board(manager, month)["goals"] if r["metric"] == "sql_handoffs")
        assert row["actual"] == (1 if month == month_of_the_move else 0), month
