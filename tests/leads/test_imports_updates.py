"""Rows for leads that exist or repeat: updates without blanking, rows failing alone, re-imports."""

import pytest

from leads.imports import services as import_services
from leads.models import Lead
from tests.leads.factories import CampaignFactory, LeadFactory
from tests.leads.helpers import GOOD_AND_BAD, process

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media_root")]


def test_importing_again_updates_without_blanking_and_counts_it(tenant):
    process(tenant, GOOD_AND_BAD)
    again = (
        b"email;first name;company;job title\n"
        b"ada@example.com;;Analytical Engines Ltd;Countess\n"
        b"grace@example.com;Grace;US Navy;\n"
    )
    result = process(tenant, again)
    assert (result.created, result.updated, result.unchanged, result.failed) == (0, 1, 1, 0)
    ada = Lead.all_tenants.get(email="ada@example.com")
    assert (ada.first_name, ada.company, ada.title) == ("Ada", "Analytical Engines Ltd", "Countess")
    assert Lead.all_tenants.count() == 2


def test_the_same_email_twice_in_a_file_is_one_lead(tenant, monkeypatch):
    monkeypatch.setattr(import_services, "BATCH_SIZE", 2)
    content = (
        b"email,company,title\n"
        b"ada@example.com,Acme,\n"
        b"ADA@example.com,,CTO\n"
        b"bob@example.com,Bobco,\n"
        b"Ada@Example.com,,CEO\n"
    )
    result = process(tenant, content)
    assert (result.done, result.created, result.failed) == (4, 2, 0)
    ada = Lead.all_tenants.get(email="ada@example.com")
    assert (ada.company, ada.title) == ("Acme", "CEO")


def test_rows_with_too_many_values_or_unknown_campaigns_fail_alone(tenant):
    campaign = CampaignFactory(tenant=tenant)
    content = (
        f"email,company,campaign id\n"
        f"ada@example.com,Acme,{campaign.pk}\n"
        f"bob@example.com,Bob, Inc,{campaign.pk}\n"
        f"eve@example.com,Evil,999999\n"
        f"short@example.com\n"
    ).encode()
    result = process(tenant, content)
    assert (result.created, result.failed) == (2, 2)
    reasons = {f["line"]: f["reason"] for f in result.failure_sample}
    assert "has 4 values but the header has 3 columns" in reasons[3]
    assert reasons[4] == "campaign id: No campaign 999999 here."
    assert Lead.all_tenants.get(email="ada@example.com").campaign_id == campaign.pk
    assert Lead.all_tenants.filter(email="short@example.com").exists()


def test_an_exported_file_imports_again_without_changes(tenant, marketer_client):
    LeadFactory(tenant=tenant, email="ada@example.com", custom_fields={"plan": "pro", "seats": 5},
                company="Acme", country="IT", stage="mql", score=40)  # fmt: skip
    export = b"".join(marketer_client.get("/api/v1/leads/export.csv").streaming_content)
    result = process(tenant, export)
    assert (result.status, result.unchanged, result.failed) == ("done", 1, 0), result.error
    lead = Lead.all_tenants.get()
    assert (lead.stage, lead.score, lead.custom_fields) == ("mql", 40, {"plan": "pro", "seats": 5})
