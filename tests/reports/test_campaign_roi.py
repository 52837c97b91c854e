"""Campaign ROI: first- and last-touch attribution over the campaign history, cost per
stage, the empty range, bad parameters and the CSV twin."""

import csv
import io
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from leads.models import CampaignTouch, Lead
from smarketing.tenancy.roles import Role
from smarketing.tenancy.scope import cross_tenant_scope
from tests.leads.factories import CampaignFactory, LeadFactory, StageTransitionFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/reports/campaigns/"
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def at(days: float) -> datetime:
    return T0 + timedelta(days=days)


def touch(lead, campaign, when, source="ingest"):
    with cross_tenant_scope():
        CampaignTouch.all_tenants.create(
            tenant=lead.tenant, lead=lead, campaign=campaign, source=source, at=when
        )


def lead_created(tenant, when, **fields):
    lead = LeadFactory(tenant=tenant, **fields)
    with cross_tenant_scope():
        Lead.all_tenants.filter(pk=lead.pk).update(created_at=when)
    return lead


def journey(lead, *, start: float, amount="5000.00"):
    """MQL, hand-off, acceptance, opportunity and a win, a day apart from `start`."""
    steps = [("move", "lead", "mql"), ("move", "mql", "sql"), ("accept", "sql", "sql"),
             ("move", "sql", "opportunity"), ("move", "opportunity", "won")]  # fmt: skip
    for n, (action, from_stage, to_stage) in enumerate(steps):
        StageTransitionFactory(
            lead=lead, action=action, from_stage=from_stage, to_stage=to_stage,
            at=at(start + n), amount=Decimal(amount) if to_stage == "won" else None,
        )  # fmt: skip


@pytest.fixture
def history(tenant):
    """Two campaigns: the webinar brought the lead in, the paid search reached it on day 2,
    between its hand-off (day 2) and its acceptance (day 3)."""
    webinar = CampaignFactory(tenant=tenant, name="Webinar", channel="webinar", cost=1000,
                              starts_on=date(2026, 3, 1), ends_on=date(2026, 3, 10))  # fmt: skip
    search = CampaignFactory(tenant=tenant, name="Search", channel="paid_search", cost=500,
                             starts_on=date(2026, 3, 1), ends_on=date(2026, 3, 10))  # fmt: skip
    lead = lead_created(tenant, at(0))
    touch(lead, webinar, at(0))
    touch(lead, search, at(2.5), source="event")
    journey(lead, start=1)  # mql day 1, sql day 2, accepted 3, opportunity 4, won 5
    return webinar, search


def by_name(report):
    return {row["name"]: row for row in report["campaigns"]}


def test_first_touch_credits_every_figure_to_the_campaign_that_brought_the_lead(
    tenant, api_client_for, history
):
    report = (
        api_client_for(tenant, Role.MANAGER)
        .get(URL, {"from": "2026-03-01", "to": "2026-03-10", "attribution": "first"})
        .json()
    )
    webinar = by_name(report)["Webinar"]
    assert (webinar["leads"], webinar["mqls"], webinar["sqls"], webinar["accepted"],
            webinar["opportunities"], webinar["won"]) == (1, 1, 1, 1, 1, 1)  # fmt: skip
    assert webinar["revenue"] == "5000.00"
    assert by_name(report)["Search"]["won"] == 0


def test_last_touch_credits_each_move_to_the_latest_campaign_before_it(
    tenant, api_client_for, history
):
    report = (
        api_client_for(tenant, Role.MANAGER)
        .get(URL, {"from": "2026-03-01", "to": "2026-03-10", "attribution": "last"})
        .json()
    )
    webinar, search = by_name(report)["Webinar"], by_name(report)["Search"]
    # Before the search touch (day 2.5): created, MQL, hand-off. After it: the rest.
    assert (webinar["leads"], webinar["mqls"], webinar["sqls"], webinar["accepted"]) == (1, 1, 1, 0)
    assert (search["accepted"], search["opportunities"], search["won"]) == (1, 1, 1)
    assert search["revenue"] == "5000.00" and webinar["revenue"] == "0.00"


def test_cost_per_stage_and_roi_per_campaign_channel_and_total(tenant, api_client_for, history):
    report = (
        api_client_for(tenant, Role.MARKETER)
        .get(URL, {"from": "2026-03-01", "to": "2026-03-10"})
        .json()
    )
    webinar = by_name(report)["Webinar"]
    assert webinar["cost"] == "1000.00"
    assert webinar["cost_per_lead"] == webinar["cost_per_mql"] == "1000.00"
    assert webinar["cost_per_won"] == "1000.00"
    assert webinar["roi"] == 4.0  # (5000 - 1000) / 1000
    search = by_name(report)["Search"]
    assert search["cost_per_lead"] is None and search["roi"] == -1.0
    channels = {row["channel"]: row for row in report["channels"]}
    assert channels["paid_search"]["cost"] == "500.00"
    assert report["totals"]["cost"] == "1500.00"
    assert report["totals"]["roi"] == round((5000 - 1500) / 1500, 3)


def test_a_dated_campaign_costs_the_share_of_its_days_inside_the_range(
    tenant, api_client_for, history
):
    # Days 1 to 4 of the campaigns' ten: 40 % of each cost.
    report = (
        api_client_for(tenant, Role.MANAGER)
        .get(URL, {"from": "2026-02-01", "to": "2026-03-04"})
        .json()
    )
    assert by_name(report)["Webinar"]["cost"] == "400.00"
    assert by_name(report)["Search"]["cost"] == "200.00"


def test_a_lead_touched_by_no_campaign_by_then_is_unattributed(tenant, api_client_for):
    campaign = CampaignFactory(tenant=tenant, name="Late", starts_on=date(2026, 3, 1),
                               ends_on=date(2026, 3, 1))  # fmt: skip
    lead = lead_created(tenant, at(0))
    StageTransitionFactory(lead=lead, action="move", from_stage="lead", to_stage="mql", at=at(1))
    touch(lead, campaign, at(2))
    report = (
        api_client_for(tenant, Role.MANAGER)
        .get(URL, {"from": "2026-03-01", "to": "2026-03-10", "attribution": "first"})
        .json()
    )
    assert report["unattributed"]["leads"] == 1 and report["unattributed"]["mqls"] == 1
    assert by_name(report)["Late"]["mqls"] == 0


def test_an_empty_range_answers_an_empty_report_without_dividing_by_zero(tenant, api_client_for):
    CampaignFactory(tenant=tenant, cost=0)
    response = api_client_for(tenant, Role.MANAGER).get(
        URL, {"from": "2020-01-01", "to": "2020-01-31"}
    )
    assert response.status_code == 200
    report = response.json()
    assert report["campaigns"] == [] and report["channels"] == []
    assert report["totals"]["cost_per_lead"] is None and report["totals"]["roi"] is None


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"attribution": "middle"}, "attribution"),
        ({"from": "2026-03-10", "to": "2026-03-01"}, "from"),
        ({"from": "2000-01-01", "to": "2026-03-01"}, "from"),
        ({"to": "yesterday"}, "to"),
        ({"from": ""}, "from"),
    ],
)
def test_a_bad_parameter_is_a_problem_naming_it(tenant, api_client_for, params, field):
    for url in (URL, "/api/v1/reports/campaigns.csv"):
        response = api_client_for(tenant, Role.MANAGER).get(url, params)
        assert response.status_code == 400, (url, params)
        assert response["Content-Type"].startswith("application/problem+json")
        assert field in response.json()["errors"]


def test_another_tenants_campaigns_and_leads_are_not_in_the_report(
    tenant, other_tenant, api_client_for, history
):
    theirs = CampaignFactory(tenant=other_tenant, name="Theirs", starts_on=date(2026, 3, 1),
                             ends_on=date(2026, 3, 10))  # fmt: skip
    lead = lead_created(other_tenant, at(0))
    touch(lead, theirs, at(0))
    report = (
        api_client_for(tenant, Role.MANAGER)
        .get(URL, {"from": "2026-03-01", "to": "2026-03-10"})
        .json()
    )
    assert set(by_name(report)) == {"Webinar", "Search"}
    assert report["totals"]["leads"] == 1


def test_the_csv_opens_with_a_header_quoting_and_neutralised_formulas(
    tenant, api_client_for, history
):
    webinar, _ = history
    webinar.name = '=HYPERLINK("http://evil.example"), "quoted"'
    with cross_tenant_scope():
        webinar.save(update_fields=["name"])
    response = api_client_for(tenant, Role.MANAGER).get(
        "/api/v1/reports/campaigns.csv", {"from": "2026-03-01", "to": "2026-03-10"}
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    campaigns = {row["campaign"]: row for row in rows if row["level"] == "campaign"}
    assert "'" + webinar.name in campaigns  # a formula no spreadsheet runs, quotes intact
    assert campaigns["'" + webinar.name]["revenue"] == "5000.00"
    assert campaigns["'" + webinar.name]["roi"] == "4.0"
    assert [row["level"] for row in rows][-1] == "total"
    assert {row["channel"] for row in rows if row["level"] == "channel"} == {
        "webinar", "paid_search"}  # fmt: skip


def test_every_role_reads_the_report(tenant, api_client_for):
    for role in (Role.ADMIN, Role.MANAGER, Role.MARKETER, Role.SALES_REP):
        assert api_client_for(tenant, role).get(URL).status_code == 200
