"""The user scenario of the SLA: the teams agree on one business hour to answer an SQL; a
marketer hands one off on a Friday at 17:30 in Rome before Easter Monday; the due time shown
is Tuesday 09:30 (and the clocks went forward on the Sunday in between)."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from leads.models import Stage
from smarketing.tenancy.roles import Role
from tests.leads.factories import LeadFactory
from tests.sla.factories import ROME_OFFICE

pytestmark = pytest.mark.django_db

ROME = ZoneInfo("Europe/Rome")


def test_one_business_hour_from_friday_1730_in_rome_is_due_tuesday_0930(
    tenant, api_client_for, clock
):
    manager = api_client_for(tenant, Role.MANAGER)
    marketer = api_client_for(tenant, Role.MARKETER)
    rep = api_client_for(tenant, Role.SALES_REP)
    clock.set(datetime(2027, 3, 1, 9, 0, tzinfo=ROME))

    draft = manager.post("/api/v1/sla/", {"name": "Fast answers", "accept_within_hours": 1,
                                          "calendar": ROME_OFFICE}, format="json")  # fmt: skip
    assert draft.status_code == 201, draft.json()
    version = draft.json()["id"]
    marketer.post(f"/api/v1/sla/{version}/sign/", {"side": "marketing"}, format="json")
    rep.post(f"/api/v1/sla/{version}/sign/", {"side": "sales"}, format="json")
    activated = manager.post(f"/api/v1/sla/{version}/activate/")
    assert activated.json()["status"] == "active"
    assert activated.json()["review_on"] == "2027-06-01"

    lead = LeadFactory(tenant=tenant, stage=Stage.MQL)
    clock.set(datetime(2027, 3, 26, 17, 30, tzinfo=ROME))  # Friday, 30 minutes before closing
    handed_off = marketer.post(f"/api/v1/leads/{lead.pk}/transition/", {"to": "sql"},
                               format="json")  # fmt: skip
    assert handed_off.status_code == 200, handed_off.json()

    [obligation] = rep.get(f"/api/v1/sla/obligations/?lead={lead.pk}").json()["results"]
    assert obligation["kind"] == "accept"
    assert obligation["status"] == "pending"
    assert obligation["opened_at"] == "2027-03-26T17:30:00+01:00"
    # 30 minutes on Friday; Saturday, Sunday and Easter Monday closed; 30 minutes on Tuesday,
    # by then in summer time.
    assert obligation["due_at"] == "2027-03-30T09:30:00+02:00"
    assert obligation["timezone"] == "Europe/Rome"

    clock.set(datetime(2027, 3, 30, 9, 10, tzinfo=ROME))
    assert rep.post(f"/api/v1/leads/{lead.pk}/accept/").status_code == 200
    [met] = rep.get(f"/api/v1/sla/obligations/?lead={lead.pk}&kind=accept").json()["results"]
    assert met["status"] == "met"
    assert met["response_business_hours"] == pytest.approx(40 / 60, abs=1e-4)
