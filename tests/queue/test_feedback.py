"""Sales' feedback to marketing: rejection counts and rates by campaign, persona and reason."""

from datetime import UTC, datetime, timedelta

import pytest

from leads import services as leads
from leads.models import Stage
from smarketing.tenancy.actors import Actor
from smarketing.tenancy.roles import Role
from smarketing.tenancy.scope import tenant_scope
from tests.leads.factories import CampaignFactory, StageTransitionFactory

pytestmark = pytest.mark.django_db

DAY = datetime(2027, 3, 22, 10, 0, tzinfo=UTC)


@pytest.fixture
def history(tenant, reps, hand_off, clock):
    """Webinar: 4 handed off, 1 rejected; Ads: 2 handed off, 2 rejected; one rejection long ago."""
    rep = reps(1)[0]
    webinar = CampaignFactory(tenant=tenant, name="Webinar")
    ads = CampaignFactory(tenant=tenant, name="Ads")
    clock.set(DAY)
    webinar_leads = [hand_off(campaign=webinar, persona_id=7, email=f"w{i}@x.example",
                              score_breakdown={"persona": {"id": 7, "name": "Ops lead"}})
                     for i in range(4)]  # fmt: skip
    ads_leads = [hand_off(campaign=ads, email=f"a{i}@x.example") for i in range(2)]
    actor = Actor.member(rep, Role.SALES_REP)

    def reject(lead, reason, note, at):
        clock.set(at)
        with tenant_scope(tenant):
            leads.lead_reject(lead=lead, actor=actor, reason_code=reason, note=note)

    reject(webinar_leads[0], "bad_fit", "Students, not buyers.", DAY + timedelta(hours=1))
    reject(ads_leads[0], "no_budget", "No budget until 2028.", DAY + timedelta(hours=2))
    reject(ads_leads[1], "bad_fit", "", DAY + timedelta(hours=3))
    old = hand_off(campaign=ads, email="old@x.example")
    StageTransitionFactory(tenant=tenant, lead=old, action="reject", from_stage=Stage.SQL,
                           to_stage=Stage.RECYCLED, reason_code="no_budget",
                           at=DAY - timedelta(days=200))  # fmt: skip
    return {"webinar": webinar, "ads": ads}


def get(client, **params):
    response = client.get("/api/v1/feedback/rejections/", params)
    assert response.status_code == 200, response.content
    return response.json()


def test_rates_by_campaign_are_rejected_over_handed_off(tenant, history, api_client_for):
    body = get(api_client_for(tenant, Role.MARKETER), **{"from": "2027-03-01", "to": "2027-03-31",
                                                       "group_by": "campaign"})  # fmt: skip
    # "old" was handed off within the period (the clock stood at DAY) but rejected long before.
    groups = {g["label"]: (g["handed_off"], g["rejected"], g["rate"]) for g in body["groups"]}
    assert groups == {"Ads": (3, 2, 0.667), "Webinar": (4, 1, 0.25)}
    assert (body["handed_off"], body["rejected"], body["rate"]) == (7, 3, 0.429)
    assert [g["label"] for g in body["groups"]] == ["Ads", "Webinar"]  # most rejected first


def test_notes_come_newest_first_with_reason_and_who(tenant, history, api_client_for):
    body = get(api_client_for(tenant, Role.MARKETER), **{"from": "2027-03-01", "to": "2027-03-31"})
    notes = [(n["email"], n["reason"], n["note"]) for n in body["notes"]]
    assert notes == [("a1@x.example", "Bad fit", ""),
                     ("a0@x.example", "No budget", "No budget until 2028."),
                     ("w0@x.example", "Bad fit", "Students, not buyers.")]  # fmt: skip
    assert body["notes"][0]["by"] == "rep1@acme.example"
    assert body["notes"][0]["campaign_name"] == "Ads"


def test_by_reason_the_rate_is_a_share_of_all_hand_offs(tenant, history, api_client_for):
    body = get(api_client_for(tenant, Role.MARKETER), **{"from": "2027-03-22", "to": "2027-03-22",
                                                       "group_by": "reason"})  # fmt: skip
    groups = {g["key"]: (g["label"], g["rejected"], g["rate"]) for g in body["groups"]}
    assert groups == {"bad_fit": ("Bad fit", 2, 0.286), "no_budget": ("No budget", 1, 0.143)}


def test_by_persona_uses_the_persona_name_the_scoring_stored(tenant, history, api_client_for):
    body = get(api_client_for(tenant, Role.MARKETER), **{"from": "2027-03-22", "to": "2027-03-22",
                                                       "group_by": "persona"})  # fmt: skip
    groups = {g["label"]: (g["handed_off"], g["rejected"]) for g in body["groups"]}
    assert groups == {"Ops lead": (4, 1), "No persona": (3, 2)}


def test_the_period_bounds_the_numbers(tenant, history, api_client_for):
    body = get(api_client_for(tenant, Role.MARKETER), **{"from": "2026-09-01", "to": "2026-09-30"})
    assert (body["handed_off"], body["rejected"]) == (0, 1)
    assert body["groups"][0]["rate"] is None  # nothing handed off in the period to divide by


def test_bad_parameters_are_explained(tenant, api_client_for):
    client = api_client_for(tenant, Role.MARKETER)
    assert client.get("/api/v1/feedback/rejections/?group_by=colour").status_code == 400
    response = client.get("/api/v1/feedback/rejections/?from=2027-04-01&to=2027-03-01")
    assert response.status_code == 400 and "from" in response.json()["errors"]
    assert client.get("/api/v1/feedback/rejections/?from=yesterday").status_code == 400


def test_the_feedback_page_shows_groups_and_notes_to_marketers(tenant, history, marketer, page_for):
    html = (
        page_for(marketer)
        .get(f"/t/{tenant.slug}/feedback/?from=2027-03-01&to=2027-03-31&group_by=campaign")
        .content.decode()
    )
    assert "<h1>Feedback from sales</h1>" in html
    assert "Students, not buyers." in html and "No budget until 2028." in html
    assert "67%" in html and "25%" in html
    assert 'href="/t/acme/feedback/"' in html  # the nav entry
