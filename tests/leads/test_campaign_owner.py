"""A campaign may name its owner: the marketer told of rejections of leads the system
handed off. Only a marketer, manager or admin of the tenant may own one."""

import pytest

from smarketing.tenancy.audit_models import AuditEntry
from smarketing.tenancy.roles import Role
from tests.leads.factories import CampaignFactory

pytestmark = pytest.mark.django_db


def test_a_campaign_takes_a_marketer_as_owner_and_the_change_is_audited(
    tenant, member, api_client_for
):
    client = api_client_for(tenant, Role.MARKETER)
    owner = member(tenant, Role.MARKETER)
    campaign = CampaignFactory(tenant=tenant)
    response = client.patch(f"/api/v1/campaigns/{campaign.pk}/", {"owner": owner.pk},
                            format="json")  # fmt: skip
    assert response.status_code == 200, response.content
    assert response.json()["owner"] == owner.pk
    entry = AuditEntry.all_tenants.get(action="campaign.changed")
    assert entry.changes["owner_id"] == [None, owner.pk]
    cleared = client.patch(f"/api/v1/campaigns/{campaign.pk}/", {"owner": None}, format="json")
    assert cleared.json()["owner"] is None


@pytest.mark.parametrize("who", ["rep", "stranger"])
def test_a_rep_or_another_tenants_user_cannot_own_a_campaign(
    tenant, other_tenant, member, api_client_for, who
):
    client = api_client_for(tenant, Role.MANAGER)
    person = member(tenant, Role.SALES_REP) if who == "rep" else member(other_tenant,
                                                                         Role.MARKETER)  # fmt: skip
    response = client.post("/api/v1/campaigns/", {"name": "Spring", "owner": person.pk},
                           format="json")  # fmt: skip
    # A user id is well-formed; that it names no marketer here is the tenant's data.
    assert response.status_code == 409
    assert response.json()["errors"] == {
        "owner": ["The owner must be a marketer, manager or admin here."]
    }


def test_the_campaign_page_offers_the_tenants_marketers_as_owners(tenant, member, client):
    from leads.models import Campaign

    marketer = member(tenant, Role.MARKETER, email="mara@acme.example")
    rep = member(tenant, Role.SALES_REP, email="rita@acme.example")
    client.force_login(marketer)
    page = client.get(f"/t/{tenant.slug}/campaigns/").content.decode()
    assert "mara@acme.example" in page and "rita@acme.example" not in page

    data = {"name": "Spring webinar", "channel": "webinar", "cost": "100", "owner_id": marketer.pk}
    client.post(f"/t/{tenant.slug}/campaigns/", data, follow=True)
    assert Campaign.all_tenants.get(name="Spring webinar").owner_id == marketer.pk

    refused = client.post(f"/t/{tenant.slug}/campaigns/", {**data, "name": "Other",
                                                           "owner_id": rep.pk})  # fmt: skip
    assert refused.status_code == 200
    assert "Select a valid choice" in refused.content.decode()
    assert not Campaign.all_tenants.filter(name="Other").exists()
