"""Log touch from the queue page and the API, end to end: it meets `first_touch` (the SLA
reacts to lead.activity) and warms a cold lead up."""

from datetime import UTC, datetime, timedelta

import pytest

from leads.models import LeadEvent
from sla.models import Obligation
from sla.services import cold_leads_sweep

pytestmark = pytest.mark.django_db

MONDAY = datetime(2027, 3, 22, 10, 0, tzinfo=UTC)


def test_a_touch_logged_from_the_queue_meets_the_first_touch_obligation(
    tenant, reps, hand_off, active_sla, clock, page_for
):
    active_sla(accept_within_hours=4, first_touch_within_hours=8)
    rep = reps(1)[0]
    clock.set(MONDAY)
    client = page_for(rep)  # logged in "now": the session lives by the clock too
    lead = hand_off()
    client.post(f"/t/{tenant.slug}/queue/{lead.pk}/accept/")
    first_touch = Obligation.all_tenants.get(lead=lead, kind="first_touch")
    assert (first_touch.status, first_touch.owner_id) == ("pending", rep.pk)

    clock.set(MONDAY + timedelta(hours=1))
    client.post(f"/t/{tenant.slug}/queue/{lead.pk}/touch/", {"type": "call", "note": "Intro call"})

    first_touch.refresh_from_db()
    assert first_touch.status == "met"
    assert first_touch.met_at == MONDAY + timedelta(hours=1)
    assert first_touch.response_business_hours == 1.0
    accept = Obligation.all_tenants.get(lead=lead, kind="accept")
    assert accept.status == "met"


def test_a_touch_warms_a_cold_lead_up(tenant, reps, hand_off, active_sla, clock, api_client_for):
    active_sla(cold_after_days={"sql": 3})
    rep = reps(1)[0]
    client = api_client_for(tenant, user=rep)
    clock.set(MONDAY)
    lead = hand_off()
    client.post(f"/api/v1/leads/{lead.pk}/accept/")
    clock.set(MONDAY + timedelta(days=4))
    assert cold_leads_sweep(now=MONDAY + timedelta(days=4)).cold == 1
    lead.refresh_from_db()
    assert lead.is_cold is True

    response = client.post(f"/api/v1/leads/{lead.pk}/touches/", {"type": "email"}, format="json")

    assert response.status_code == 201
    assert response.json()["is_cold"] is False
    lead.refresh_from_db()
    assert (lead.is_cold, lead.cold_since) == (False, None)
    assert lead.last_activity_at == MONDAY + timedelta(days=4)


def accepted_lead(tenant, reps, hand_off, active_sla, clock, api_client_for):
    active_sla(accept_within_hours=4, first_touch_within_hours=8)
    rep = reps(1)[0]
    clock.set(MONDAY)
    lead = hand_off()
    rep_api = api_client_for(tenant, user=rep)
    assert rep_api.post(f"/api/v1/leads/{lead.pk}/accept/").status_code == 200
    return lead, rep_api


def test_an_integration_key_cannot_log_a_sales_touch_or_meet_first_touch(
    tenant, reps, hand_off, active_sla, clock, api_client_for
):
    lead, _ = accepted_lead(tenant, reps, hand_off, active_sla, clock, api_client_for)
    clock.set(MONDAY + timedelta(hours=1))
    integration = api_client_for(tenant)
    body = integration.post(
        "/api/v1/events/",
        [{"lead_id": lead.pk, "type": kind, "occurred_at": MONDAY.isoformat()}
         for kind in ("call", "email", "meeting")],
        format="json",
    ).json()  # fmt: skip
    assert body["recorded"] == 0
    assert all("integration" in r["errors"]["type"][0] for r in body["results"])
    touch = integration.post(f"/api/v1/leads/{lead.pk}/touches/", {"type": "call"}, format="json")
    assert touch.status_code == 403
    assert Obligation.all_tenants.get(lead=lead, kind="first_touch").status == "pending"
    assert not LeadEvent.all_tenants.filter(lead=lead).exists()


def test_an_integration_still_reports_engagement_back_dated_within_a_year(
    tenant, reps, hand_off, active_sla, clock, api_client_for
):
    lead, _ = accepted_lead(tenant, reps, hand_off, active_sla, clock, api_client_for)
    at = {
        "a month ago": MONDAY - timedelta(days=30),
        "two minutes ahead": MONDAY + timedelta(minutes=2),
        "over a year ago": MONDAY - timedelta(days=366),
        "an hour ahead": MONDAY + timedelta(hours=1),
    }
    body = api_client_for(tenant).post(
        "/api/v1/events/",
        [{"lead_id": lead.pk, "type": "webinar", "occurred_at": when.isoformat()}
         for when in at.values()],
        format="json",
    ).json()  # fmt: skip
    assert [r["status"] for r in body["results"]] == ["recorded", "recorded", "error", "error"]
    assert "365 days" in body["results"][2]["errors"]["occurred_at"][0]
    assert "future" in body["results"][3]["errors"]["occurred_at"][0]
    assert Obligation.all_tenants.get(lead=lead, kind="first_touch").status == "pending"


@pytest.mark.parametrize(
    ("when", "message"),
    [
        (MONDAY + timedelta(hours=2), "future"),
        (MONDAY - timedelta(minutes=30), "predate the lead's acceptance"),
        (MONDAY - timedelta(days=9), "at most 7 days"),
    ],
    ids=["in the future", "before acceptance", "over a week old"],
)
def test_a_rep_cannot_back_or_forward_date_a_touch_to_meet_first_touch(
    tenant, reps, hand_off, active_sla, clock, api_client_for, when, message
):
    lead, rep_api = accepted_lead(tenant, reps, hand_off, active_sla, clock, api_client_for)
    clock.set(MONDAY + timedelta(minutes=30))
    response = rep_api.post(
        f"/api/v1/leads/{lead.pk}/touches/",
        {"type": "call", "occurred_at": when.isoformat()},
        format="json",
    )
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/problem+json")
    assert message in response.json()["errors"]["occurred_at"][0]
    assert Obligation.all_tenants.get(lead=lead, kind="first_touch").status == "pending"


def test_a_rep_may_log_a_call_made_earlier_since_acceptance(
    tenant, reps, hand_off, active_sla, clock, api_client_for
):
    lead, rep_api = accepted_lead(tenant, reps, hand_off, active_sla, clock, api_client_for)
    clock.set(MONDAY + timedelta(hours=3))
    response = rep_api.post(
        f"/api/v1/leads/{lead.pk}/touches/",
        {"type": "call", "occurred_at": (MONDAY + timedelta(hours=1)).isoformat()},
        format="json",
    )
    assert response.status_code == 201
    first_touch = Obligation.all_tenants.get(lead=lead, kind="first_touch")
    assert (first_touch.status, first_touch.met_at) == ("met", MONDAY + timedelta(hours=1))
