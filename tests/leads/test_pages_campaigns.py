"""The campaigns page: funnel and ROI, creating a campaign, its validation, who may create."""

from decimal import Decimal

import pytest

from leads.models import Campaign, Stage
from smarketing.tenancy.roles import Role
from tests.leads.factories import CampaignFactory, LeadFactory, StageTransitionFactory
from tests.leads.helpers import text_of

pytestmark = pytest.mark.django_db


def test_campaigns_list_their_funnel_and_roi(tenant, as_role):
    client, _ = as_role(Role.SALES_REP)
    campaign = CampaignFactory(tenant=tenant, name="Trade fair", cost=Decimal("1000"))
    lead = LeadFactory(tenant=tenant, campaign=campaign, stage=Stage.WON)
    for source, target in [("lead", "mql"), ("mql", "sql"), ("sql", "opportunity")]:
        StageTransitionFactory(lead=lead, from_stage=source, to_stage=target)
    StageTransitionFactory(
        lead=lead, from_stage="opportunity", to_stage="won", amount=Decimal("3500")
    )

    response = client.get(f"/t/{tenant.slug}/campaigns/")

    page = text_of(response)
    assert "<h1>Campaigns</h1>" in page and "Trade fair" in page
    assert "3,500" in page and "250%" in page  # ROI = (3500 - 1000) / 1000
    assert "New campaign" not in page  # reps read; marketing and managers create


def test_a_marketer_creates_a_campaign_and_a_duplicate_name_is_explained(tenant, as_role):
    client, _ = as_role(Role.MARKETER)
    data = {
        "name": "Spring webinar",
        "channel": "webinar",
        "cost": "1200",
        "starts_on": "2027-03-01",
        "ends_on": "2027-03-31",
    }

    created = client.post(f"/t/{tenant.slug}/campaigns/", data, follow=True)
    duplicate = client.post(f"/t/{tenant.slug}/campaigns/", {**data, "name": "spring WEBINAR"})

    assert "Campaign “Spring webinar” created." in text_of(created)
    assert Campaign.all_tenants.filter(tenant=tenant).count() == 1
    assert duplicate.status_code == 200
    assert "exists already" in text_of(duplicate) and 'aria-invalid="true"' in text_of(duplicate)


def test_a_campaign_that_ends_before_it_starts_is_refused(tenant, as_role):
    client, _ = as_role(Role.MANAGER)

    page = text_of(
        client.post(
            f"/t/{tenant.slug}/campaigns/",
            {
                "name": "Backwards",
                "channel": "event",
                "cost": "0",
                "starts_on": "2027-03-10",
                "ends_on": "2027-03-01",
            },
        )
    )

    assert "A campaign cannot end before it starts." in page
    assert not Campaign.all_tenants.filter(name="Backwards").exists()


def test_a_sales_rep_cannot_create_campaigns(tenant, as_role):
    client, _ = as_role(Role.SALES_REP)

    response = client.post(
        f"/t/{tenant.slug}/campaigns/", {"name": "Mine", "cost": "0", "channel": "other"}
    )

    assert response.status_code == 403
    assert not Campaign.all_tenants.filter(name="Mine").exists()
