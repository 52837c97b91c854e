"""Log touch from the queue page and the API, end to end: it meets `first_touch` (the SLA
reacts to lead.activity) and warms a cold lead up."""

from datetime import UTC, datetime, timedelta

import pytest

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
