"""The campaign history: every way a lead comes through a campaign records a touch (API,
bulk, CSV import, events naming a campaign, edits), a repeat is not recorded twice, the
bulk path writes it in one statement, and the migration backfills the current campaigns."""

import importlib
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from leads.models import CampaignTouch, Lead
from smarketing.tenancy.roles import Role
from tests.leads.factories import CampaignFactory, LeadFactory
from tests.leads.helpers import process

pytestmark = pytest.mark.django_db


def history(email: str) -> list[tuple[str, str]]:
    return list(
        CampaignTouch.all_tenants.filter(lead__email=email)
        .order_by("at", "id")
        .values_list("campaign__name", "source")
    )


def test_a_lead_created_naming_a_campaign_is_touched_when_it_was_created(tenant, api_client_for):
    campaign = CampaignFactory(tenant=tenant, name="Spring")
    response = api_client_for(tenant).post(
        "/api/v1/leads/", {"email": "ada@x.com", "campaign": campaign.pk}
    )
    assert response.status_code == 201
    lead = Lead.all_tenants.get(email="ada@x.com")
    touched = CampaignTouch.all_tenants.get(lead=lead)
    assert (touched.campaign_id, touched.source, touched.at) == (campaign.pk, "ingest",
                                                                 lead.created_at)  # fmt: skip


def test_sending_the_same_campaign_again_adds_nothing_and_another_adds_a_touch(
    tenant, api_client_for
):
    spring, autumn = (
        CampaignFactory(tenant=tenant, name="Spring"),
        CampaignFactory(tenant=tenant, name="Autumn"),
    )
    client = api_client_for(tenant)
    for campaign in (spring, spring, autumn, spring):
        client.post("/api/v1/leads/", {"email": "ada@x.com", "campaign": campaign.pk})
    assert history("ada@x.com") == [("Spring", "ingest"), ("Autumn", "ingest"),
                                    ("Spring", "ingest")]  # fmt: skip


def test_bulk_ingest_records_the_campaign_of_every_lead(tenant, api_client_for):
    campaign = CampaignFactory(tenant=tenant, name="Fair")
    items = [{"email": f"p{i}@x.com", "campaign": campaign.pk} for i in range(5)]
    items.append({"email": "none@x.com"})
    response = api_client_for(tenant).post("/api/v1/leads/bulk/", {"items": items}, format="json")
    assert response.status_code == 200, response.json()
    assert CampaignTouch.all_tenants.filter(campaign=campaign, source="ingest").count() == 5
    assert history("none@x.com") == []


@pytest.mark.postgres
def test_bulk_ingest_writes_the_campaign_history_in_one_statement(tenant, api_client_for):
    from django.test.utils import CaptureQueriesContext

    campaign = CampaignFactory(tenant=tenant, name="Fair")
    client = api_client_for(tenant)
    counts, touch_inserts = [], []
    # The first request of a key does one-off work (the key's first use): warm it up.
    client.post("/api/v1/leads/bulk/", {"items": [{"email": "warm@x.com"}]}, format="json")
    for start, size in ((0, 50), (50, 500)):
        items = [{"email": f"p{i}@x.com", "campaign": campaign.pk}
                 for i in range(start, start + size)]  # fmt: skip
        with CaptureQueriesContext(connection) as captured:
            client.post("/api/v1/leads/bulk/", {"items": items}, format="json")
        counts.append(len(captured))
        touch_inserts.append(sum('INSERT INTO "leads_campaigntouch"' in q["sql"]
                                 for q in captured.captured_queries))  # fmt: skip
    assert counts[0] == counts[1]  # as many queries for 500 leads as for 50
    assert touch_inserts == [1, 1]
    assert CampaignTouch.all_tenants.count() == 550
    created = dict(Lead.all_tenants.values_list("pk", "created_at"))
    assert all(t.at == created[t.lead_id] for t in CampaignTouch.all_tenants.all())


@pytest.mark.usefixtures("media_root")
def test_a_csv_import_records_the_campaign_named_by_its_column(tenant):
    campaign = CampaignFactory(tenant=tenant, name="Trade fair")
    result = process(tenant, f"email,campaign id\nada@x.com,{campaign.pk}\n".encode())
    assert result.created == 1
    assert history("ada@x.com") == [("Trade fair", "import")]


def test_an_event_naming_a_campaign_by_id_or_slug_touches_the_lead_when_it_happened(
    tenant, api_client_for
):
    webinar = CampaignFactory(tenant=tenant, name="Webinar", slug="webinar-q1")
    CampaignFactory(tenant=tenant, name="Search", slug="search")
    lead = LeadFactory(tenant=tenant, email="ada@x.com")
    when = timezone.now() - timedelta(hours=3)
    items = [
        {"lead_id": lead.pk, "type": "webinar", "occurred_at": when.isoformat(),
         "properties": {"campaign": webinar.pk}},
        {"lead_id": lead.pk, "type": "email_click",
         "occurred_at": (when + timedelta(hours=1)).isoformat(),
         "properties": {"utm_campaign": "SEARCH"}},
        {"lead_id": lead.pk, "type": "page_view", "occurred_at": when.isoformat(),
         "properties": {"utm_campaign": "nobody-knows-this-one"}},
    ]  # fmt: skip
    response = api_client_for(tenant).post("/api/v1/events/", items, format="json")
    assert response.status_code in (200, 201, 207), response.json()
    assert history("ada@x.com") == [("Webinar", "event"), ("Search", "event")]
    assert CampaignTouch.all_tenants.get(campaign=webinar).at == when


def test_changing_the_campaign_by_hand_records_an_edit(tenant, api_client_for):
    spring, autumn = (
        CampaignFactory(tenant=tenant, name="Spring"),
        CampaignFactory(tenant=tenant, name="Autumn"),
    )
    client = api_client_for(tenant, Role.MARKETER)
    lead_id = client.post("/api/v1/leads/", {"email": "ada@x.com", "campaign": spring.pk}).json()[
        "id"
    ]
    assert client.patch(f"/api/v1/leads/{lead_id}/", {"campaign": autumn.pk}).status_code == 200
    assert history("ada@x.com") == [("Spring", "ingest"), ("Autumn", "edit")]


def test_the_migration_backfills_each_leads_current_campaign_once(tenant):
    campaign = CampaignFactory(tenant=tenant, name="Legacy")
    old = LeadFactory(tenant=tenant, email="old@x.com", campaign=campaign)
    credited = LeadFactory(tenant=tenant, email="form@x.com", campaign=campaign)
    CampaignTouch.all_tenants.create(tenant=tenant, lead=credited, campaign=campaign,
                                     source="form", at=timezone.now())  # fmt: skip
    LeadFactory(tenant=tenant, email="none@x.com")
    migration = importlib.import_module("leads.migrations.0010_campaign_history")

    class Editor:
        pass

    editor = Editor()
    editor.connection = connection
    migration.backfill(None, editor)
    migration.backfill(None, editor)  # a second run finds nothing left to do
    assert history("old@x.com") == [("Legacy", "backfill")]
    assert CampaignTouch.all_tenants.get(lead=old).at == old.created_at
    assert history("form@x.com") == [("Legacy", "form")]
    assert history("none@x.com") == []


def test_erasure_leaves_nothing_of_the_person_and_keeps_the_campaign_figures(
    tenant, api_client_for, django_capture_on_commit_callbacks
):
    from tests.privacy.search import model_hits

    campaign = CampaignFactory(tenant=tenant, name="Spring", slug="spring")
    integration = api_client_for(tenant)
    email, first, last = "zyxwaldo.quibbleton@prospect.example", "Zyxwaldo", "Quibbleton"
    lead_id = integration.post(
        "/api/v1/leads/",
        {"email": email, "first_name": first, "last_name": last, "campaign": campaign.pk},
    ).json()["id"]
    integration.post("/api/v1/events/", [{
        "lead_id": lead_id, "type": "form_submit", "occurred_at": timezone.now().isoformat(),
        "properties": {"utm_campaign": "spring", "name": f"{first} {last}"},
    }], format="json")  # fmt: skip
    manager = api_client_for(tenant, Role.MANAGER)
    before = manager.get("/api/v1/reports/campaigns/").json()
    exported = api_client_for(tenant, Role.ADMIN).get(f"/api/v1/leads/{lead_id}/personal-data/")
    assert [(t["campaign_name"], t["source"]) for t in exported.json()["campaign_history"]] == [
        ("Spring", "ingest")]  # fmt: skip
    assert model_hits([email, first, last])

    with django_capture_on_commit_callbacks(execute=True):
        erased = api_client_for(tenant, Role.ADMIN).post(f"/api/v1/leads/{lead_id}/erase/")
    assert erased.status_code == 200

    assert model_hits([email, first, last]) == {}
    assert CampaignTouch.all_tenants.filter(lead_id=lead_id).count() == 1
    after = manager.get("/api/v1/reports/campaigns/").json()
    assert after["campaigns"] == before["campaigns"]
