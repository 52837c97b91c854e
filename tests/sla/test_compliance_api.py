"""GET /api/v1/sla/compliance/: range, grouping by rep, team or week, team filter, tenancy."""

from datetime import UTC, date, datetime, timedelta

import pytest

from sla import services
from smarketing.tenancy.roles import Role
from tests.leads.factories import StageTransitionFactory
from tests.queue.factories import TeamFactory, TeamMemberFactory
from tests.sla.factories import ObligationFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/sla/compliance/"
NOW = datetime(2026, 6, 10, 12, 0, tzinfo=UTC)  # a Wednesday


@pytest.fixture
def setup(tenant, member, active_sla, clock):
    clock.set(NOW)
    active_sla(monthly_mql_target=300, monthly_sql_target=90)
    ada, bob = member(tenant, Role.SALES_REP), member(tenant, Role.SALES_REP)
    team = TeamFactory(tenant=tenant, name="Enterprise")
    TeamMemberFactory(tenant=tenant, team=team, user=ada)

    def obligation(owner, days_ago, status, hours=None):
        opened = NOW - timedelta(days=days_ago)
        return ObligationFactory(
            tenant=tenant, owner=owner, status=status, opened_at=opened,
            met_at=opened + timedelta(hours=hours) if hours is not None else None,
            response_business_hours=hours,
            breached_at=opened + timedelta(hours=4) if status == "breached" else None,
        )  # fmt: skip

    obligation(ada, 1, "met", 1.0)
    obligation(ada, 2, "met", 3.0)
    obligation(bob, 2, "breached", 6.0)
    obligation(bob, 40, "breached")  # outside the default 30 days
    obligation(None, 0, "pending")
    StageTransitionFactory(lead__tenant=tenant, at=NOW - timedelta(days=3))  # an MQL
    services.compliance_rollups_build(tenant_id=tenant.pk)
    return {"ada": ada, "bob": bob, "team": team}


def test_the_default_range_is_the_last_30_days_with_both_sides(setup, tenant, api_client_for):
    response = api_client_for(tenant, Role.MANAGER).get(URL)
    assert response.status_code == 200
    body = response.json()
    assert (body["from"], body["to"]) == ("2026-05-12", "2026-06-10")
    sales = body["sales"]
    assert (sales["opened"], sales["met_on_time"], sales["breached"], sales["pending"]) == (
        4, 2, 1, 1,
    )  # fmt: skip
    assert sales["on_time_rate"] == pytest.approx(2 / 3)
    assert sales["median_response_hours"] == 3.0
    assert sales["p90_response_hours"] == pytest.approx(5.4)
    assert sales["by_kind"]["first_touch"]["opened"] == 0
    worst = body["breaches_by_rep"][0]
    assert (worst["label"], worst["breaches"]) == (setup["bob"].email, 1)
    marketing = body["marketing"]
    assert marketing["mqls"] == 1
    # 30 days, 20 of May (31 days) and 10 of June (30 days), against 300 a month.
    assert marketing["targets"]["mqls"] == pytest.approx(round(300 * 20 / 31 + 300 * 10 / 30, 2))


def test_grouped_by_rep_each_rep_and_the_queue_get_a_row(setup, tenant, api_client_for):
    body = api_client_for(tenant, Role.MARKETER).get(URL, {"group_by": "rep"}).json()
    groups = {g["label"]: g for g in body["sales"]["groups"]}
    assert groups[setup["ada"].email]["on_time_rate"] == 1.0
    assert groups[setup["bob"].email]["breached"] == 1
    assert groups["Unassigned (in the queue)"]["pending"] == 1


def test_grouped_by_team_reps_without_a_team_are_shown_apart(setup, tenant, api_client_for):
    body = api_client_for(tenant, Role.MANAGER).get(URL, {"group_by": "team"}).json()
    groups = {g["label"]: g["opened"] for g in body["sales"]["groups"]}
    assert groups == {"Enterprise": 2, "No team": 1, "Unassigned (in the queue)": 1}


def test_a_team_filter_keeps_that_teams_obligations_only(setup, tenant, api_client_for):
    client = api_client_for(tenant, Role.MANAGER)
    body = client.get(URL, {"team": setup["team"].pk}).json()
    assert body["team"]["name"] == "Enterprise"
    assert (body["sales"]["opened"], body["sales"]["breached"]) == (2, 0)
    # A team the tenant does not have, like any object not in the tenant, is a 404.
    assert client.get(URL, {"team": 999999}).status_code == 404


def test_grouped_by_week_every_week_of_the_range_has_a_row(setup, tenant, api_client_for):
    client = api_client_for(tenant, Role.MANAGER)
    body = client.get(URL, {"group_by": "week", "from": "2026-05-25", "to": "2026-06-10"}).json()
    weeks = [(g["key"], g["opened"]) for g in body["sales"]["groups"]]
    assert weeks == [("2026-05-25", 0), ("2026-06-01", 0), ("2026-06-08", 4)]
    marketing_weeks = body["marketing"]["groups"]
    assert [g["mqls"] for g in marketing_weeks] == [0, 1, 0]  # Sunday 7 June
    assert marketing_weeks[-1]["start"] == "2026-06-08"
    assert marketing_weeks[-1]["end"] == "2026-06-10"


@pytest.mark.parametrize(
    ("params", "field"),
    [({"group_by": "campaign"}, "group_by"), ({"from": "yesterday"}, "from"),
     ({"from": "2026-06-10", "to": "2026-06-01"}, "from")],
)  # fmt: skip
def test_bad_parameters_answer_400_naming_the_field(setup, tenant, api_client_for, params, field):
    response = api_client_for(tenant, Role.MANAGER).get(URL, params)
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/problem+json")
    assert field in response.json()["errors"]


def test_another_tenants_obligations_never_count(setup, other_tenant, api_client_for, clock):
    body = api_client_for(other_tenant, Role.MANAGER).get(URL).json()
    assert body["sales"]["opened"] == 0
    assert body["breaches_by_rep"] == []


def test_an_integration_key_may_read_the_report(setup, tenant, api_client_for):
    assert api_client_for(tenant).get(URL, {"to": date(2026, 6, 1).isoformat()}).status_code == 200
