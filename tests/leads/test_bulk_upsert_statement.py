"""The bulk upsert's one statement keeps the merge rules on every database (SQLite and
PostgreSQL run these alike): fill, never blank, custom fields key by key, no-op rows left
alone, and every new or changed lead announced once per batch."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from leads.input import clean_lead
from leads.models import Lead, StageTransition
from leads.services import leads_bulk_upsert
from leads.services.bulk_sql import bulk_upsert_rows
from smarketing.events.models import OutboxEvent
from smarketing.tenancy.actors import Actor
from smarketing.tenancy.scope import tenant_scope
from tests.leads.factories import CampaignFactory, LeadFactory

pytestmark = pytest.mark.django_db


def _upsert(tenant, items):
    with tenant_scope(tenant):
        return leads_bulk_upsert(tenant=tenant, actor=Actor.system(), items=items)


def test_a_bulk_of_new_leads_is_written_by_one_insert(tenant):
    items = [{"email": f"p{i}@x.com", "company": "Acme"} for i in range(300)]
    with CaptureQueriesContext(connection) as captured:
        results = _upsert(tenant, items)
    inserts = [q["sql"] for q in captured if q["sql"].startswith("INSERT INTO leads_lead ")]
    assert len(inserts) == 1
    assert {r.status for r in results} == {"created"}
    assert Lead.all_tenants.count() == 300
    assert OutboxEvent.all_tenants.filter(event_type="lead.created").count() == 300


def test_incoming_values_fill_and_update_but_an_empty_one_never_blanks(tenant):
    campaign = CampaignFactory(tenant=tenant)
    LeadFactory(tenant=tenant, email="ada@x.com", first_name="Ada", company="Old Co",
                title="", phone="+39 06 1234567", company_size=10, country="IT")  # fmt: skip
    results = _upsert(tenant, [{
        "email": "ADA@x.com", "first_name": "", "company": "New Co", "title": "CTO",
        "phone": None, "company_size": None, "country": "", "campaign": campaign.pk,
    }])  # fmt: skip
    assert [r.status for r in results] == ["updated"]
    ada = Lead.all_tenants.get(email="ada@x.com")
    assert (ada.first_name, ada.company, ada.title, ada.phone) == (
        "Ada",
        "New Co",
        "CTO",
        "+39 06 1234567",
    )
    assert (ada.company_size, ada.country, ada.campaign_id) == (10, "IT", campaign.pk)


def test_custom_fields_merge_key_by_key_and_a_null_blanks_none(tenant):
    LeadFactory(tenant=tenant, email="a@x.com", custom_fields={"plan": "pro", "seats": 5})
    incoming = {"seats": 9, "plan": None, "vip": True}
    _upsert(tenant, [{"email": "a@x.com", "custom_fields": incoming}])
    assert Lead.all_tenants.get().custom_fields == {"plan": "pro", "seats": 9, "vip": True}


def test_sending_the_same_leads_again_changes_nothing_and_writes_no_history(tenant):
    # One lead saved one by one (the single upsert, a page), the others by a bulk before.
    LeadFactory(tenant=tenant, email="single@x.com", company="Acme",
                custom_fields={"source": "fair", "n": -1})  # fmt: skip
    items = [
        {"email": f"p{i}@x.com", "company": "Acme", "custom_fields": {"source": "fair", "n": i}}
        for i in range(20)
    ]
    _upsert(tenant, items)
    items.append({"email": "single@x.com", "company": "Acme",
                  "custom_fields": {"source": "fair", "n": -1}})  # fmt: skip
    before = list(Lead.all_tenants.values_list("updated_at", flat=True).order_by("pk"))
    again = _upsert(tenant, items)
    assert {r.status for r in again} == {"unchanged"}
    assert list(Lead.all_tenants.values_list("updated_at", flat=True).order_by("pk")) == before
    assert not StageTransition.all_tenants.filter(action="merge").exists()
    assert OutboxEvent.all_tenants.filter(event_type="lead.created").count() == 20


def test_the_statement_says_which_rows_it_inserted_and_returns_no_unchanged_row(tenant):
    LeadFactory(tenant=tenant, email="old@x.com", company="Old Co")
    LeadFactory(tenant=tenant, email="same@x.com", company="Same Co")
    leads = [
        clean_lead(item)[0]
        for item in (
            {"email": "new@x.com", "company": "New"},
            {"email": "old@x.com", "company": "Changed Co"},
            {"email": "same@x.com", "company": "Same Co"},
        )
    ]
    with tenant_scope(tenant):
        written = bulk_upsert_rows(tenant_id=tenant.pk, leads=leads)
    assert {(row.email, row.inserted) for row in written} == {
        ("new@x.com", True),
        ("old@x.com", False),
    }
