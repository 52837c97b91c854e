"""The funnel report and its API: flow and cohort, stage times, groups, bad input, CSV."""

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest

from leads.funnel.report import funnel_report
from leads.models import Lead
from smarketing.periods import Period
from smarketing.tenancy.roles import Role
from smarketing.tenancy.scope import tenant_scope
from tests.leads.factories import CampaignFactory, LeadFactory, StageTransitionFactory

pytestmark = pytest.mark.django_db

Q1 = Period(datetime(2027, 1, 1).date(), datetime(2027, 3, 31).date(), "UTC")
JAN = datetime(2027, 1, 10, 9, tzinfo=UTC)
URL = "/api/v1/reports/funnel/"


def _lead(tenant, *, created=JAN, **fields):
    lead = LeadFactory(tenant=tenant, **fields)
    Lead.all_tenants.filter(pk=lead.pk).update(created_at=created)
    return lead


def _walk(lead, steps, *, start=JAN):
    """Moves one after another: (action, to_stage, hours spent in the step before it)."""
    entered = start
    for action, to_stage, hours in steps:
        at = entered + timedelta(hours=hours)
        StageTransitionFactory(lead=lead, action=action, to_stage=to_stage, at=at,
                               step_started_at=entered)  # fmt: skip
        entered = at


TO_WON = [("move", "mql", 10), ("move", "sql", 20), ("accept", "sql", 2),
          ("move", "opportunity", 30), ("move", "won", 100)]  # fmt: skip


def _about(hours):
    """A stage time as the funnel reports it: within 1/64 (`leads.funnel.durations`)."""
    return pytest.approx(hours, rel=1 / 64)


def _by_stage(report):
    return {row["stage"]: row for row in report["stages"]}


def test_flow_counts_the_moves_of_the_range_with_conversions_and_stage_times(tenant):
    for _ in range(2):
        _walk(_lead(tenant), TO_WON)
    _walk(_lead(tenant), TO_WON[:2])
    _lead(tenant)
    with tenant_scope(tenant):
        stages = _by_stage(funnel_report(period=Q1, mode="flow"))
    assert [stages[s]["count"] for s in stages] == [4, 3, 3, 2, 2, 2]
    assert stages["lead"]["conversion"] is None
    assert stages["mql"]["conversion"] == 0.75
    assert stages["accepted"]["conversion"] == round(2 / 3, 3)
    assert (stages["lead"]["median_hours"], stages["mql"]["median_hours"]) == (
        _about(10.0), _about(20.0))  # fmt: skip
    assert stages["opportunity"]["p90_hours"] == _about(100.0)
    assert (stages["won"]["median_hours"], stages["won"]["p90_hours"]) == (None, None)


def test_stage_time_p90_interpolates_between_ranks(tenant):
    for hours in (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11):
        _walk(_lead(tenant), [("move", "mql", hours)])
    with tenant_scope(tenant):
        lead = _by_stage(funnel_report(period=Q1, mode="flow"))["lead"]
    assert (lead["median_hours"], lead["p90_hours"]) == (_about(6.0), _about(10.0))


def test_flow_leaves_out_moves_outside_the_range_but_cohort_follows_its_leads_to_today(tenant):
    early = _lead(tenant)
    # Created in the quarter, won in April: outside the flow of Q1, inside its cohort.
    _walk(early, [("move", "mql", 1), ("move", "sql", 2000), ("accept", "sql", 1)])
    older = _lead(tenant, created=JAN - timedelta(days=60))
    _walk(older, [("move", "mql", 1)], start=JAN)
    with tenant_scope(tenant):
        flow = _by_stage(funnel_report(period=Q1, mode="flow"))
        cohort = _by_stage(funnel_report(period=Q1, mode="cohort"))
    assert [flow[s]["count"] for s in ("lead", "mql", "sql", "accepted")] == [1, 2, 0, 0]
    assert [cohort[s]["count"] for s in ("lead", "mql", "sql", "accepted")] == [1, 1, 1, 1]
    assert cohort["mql"]["median_hours"] == _about(2000.0)


def test_cohort_counts_each_lead_once_per_stage_it_reached(tenant):
    lead = _lead(tenant)
    _walk(lead, [("move", "mql", 1), ("move", "sql", 1), ("reject", "recycled", 1),
                 ("move", "mql", 1), ("move", "sql", 1)])  # fmt: skip
    with tenant_scope(tenant):
        flow = _by_stage(funnel_report(period=Q1, mode="flow"))
        cohort = _by_stage(funnel_report(period=Q1, mode="cohort"))
    assert (flow["mql"]["count"], flow["sql"]["count"]) == (2, 2)
    assert (cohort["mql"]["count"], cohort["sql"]["count"]) == (1, 1)


def test_an_empty_range_has_zero_counts_and_no_rates(tenant):
    with tenant_scope(tenant):
        report = funnel_report(period=Q1, mode="cohort")
    assert {row["count"] for row in report["stages"]} == {0}
    assert {row["conversion"] for row in report["stages"]} == {None}
    assert report["groups"] == []


def test_groups_by_campaign_channel_and_country(tenant):
    webinar = CampaignFactory(tenant=tenant, name="Spring webinar", channel="webinar")
    _walk(_lead(tenant, campaign=webinar, country="IT"), TO_WON[:1])
    _walk(_lead(tenant, country="FR"), TO_WON[:2])
    with tenant_scope(tenant):
        by_campaign = funnel_report(period=Q1, mode="flow", group_by="campaign")["groups"]
        by_channel = funnel_report(period=Q1, mode="flow", group_by="channel")["groups"]
        by_country = funnel_report(period=Q1, mode="flow", group_by="country")["groups"]
    assert {(g["label"], g["stages"][2]["count"]) for g in by_campaign} == {
        ("Spring webinar", 0), ("No campaign", 1)}  # fmt: skip
    assert {g["label"] for g in by_channel} == {"Webinar", "No campaign"}
    assert {(g["key"], g["label"]) for g in by_country} == {("IT", "Italy"), ("FR", "France")}


def test_team_groups_count_a_rep_in_each_of_their_teams(tenant, member):
    from leads.routing.models import Team, TeamMember

    rep = member(tenant, Role.SALES_REP)
    north, south = (Team.all_tenants.create(tenant=tenant, name=n) for n in ("North", "South"))
    for team in (north, south):
        TeamMember.all_tenants.create(tenant=tenant, team=team, user=rep)
    _walk(_lead(tenant, owner=rep), TO_WON[:3])
    _walk(_lead(tenant), TO_WON[:2])
    with tenant_scope(tenant):
        groups = funnel_report(period=Q1, mode="flow", group_by="team")["groups"]
    accepted = {g["label"]: g["stages"][3]["count"] for g in groups}
    assert accepted == {"North": 1, "South": 1, "Unassigned (in the queue)": 0}
    assert {g["label"]: g["stages"][0]["median_hours"] for g in groups}["North"] == _about(10.0)


def test_api_answers_the_body_the_contract_names(tenant, other_tenant, api_client_for):
    _walk(_lead(tenant), TO_WON)
    _walk(_lead(other_tenant), TO_WON)
    client = api_client_for(tenant, Role.MANAGER)
    response = client.get(URL, {"from": "2027-01-01", "to": "2027-03-31", "mode": "flow"})
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"from", "to", "mode", "stages", "groups"}
    assert (body["from"], body["to"], body["mode"]) == ("2027-01-01", "2027-03-31", "flow")
    assert [row["stage"] for row in body["stages"]] == [
        "lead", "mql", "sql", "accepted", "opportunity", "won"]  # fmt: skip
    assert set(body["stages"][0]) == {"stage", "count", "conversion", "median_hours", "p90_hours"}
    assert [row["count"] for row in body["stages"]] == [1] * 6


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"from": "2027-03-01", "to": "2027-01-01"}, "from"),
        ({"from": "2020-01-01", "to": "2027-01-01"}, "from"),
        ({"from": "yesterday"}, "from"),
        ({"to": ""}, "to"),
        ({"group_by": "planet"}, "group_by"),
        ({"mode": "stock"}, "mode"),
    ],
)
def test_bad_parameters_answer_400_problem_naming_the_parameter(tenant, api_client_for, params,
                                                                 field):  # fmt: skip
    client = api_client_for(tenant, Role.MARKETER)
    for url in (URL, "/api/v1/reports/funnel.csv"):
        response = client.get(url, params)
        assert response.status_code == 400, url
        assert response["Content-Type"].startswith("application/problem+json")
        assert field in response.json()["errors"]


def test_csv_has_a_header_quotes_commas_and_neutralises_formulas(tenant, api_client_for):
    evil = CampaignFactory(tenant=tenant, name='=HYPERLINK("http://x"), "Q1"')
    _walk(_lead(tenant, campaign=evil), TO_WON[:2])
    client = api_client_for(tenant, Role.SALES_REP)
    response = client.get(
        "/api/v1/reports/funnel.csv",
        {"from": "2027-01-01", "to": "2027-03-31", "mode": "cohort", "group_by": "campaign"},
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode()
    assert '"\'=HYPERLINK(""http://x""), ""Q1"""' in text
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["group_key", "group", "stage", "band", "count", "conversion",
                       "median_hours", "p90_hours"]  # fmt: skip
    assert len(rows) == 1 + 6 * 2
    assert rows[1][:5] == ["", "All leads", "lead", "tofu", "1"]
    assert rows[8][1].startswith("'=HYPERLINK")
    assert [row[3] for row in rows[7:13]] == ["tofu", "tofu", "mofu", "mofu", "bofu", "bofu"]
