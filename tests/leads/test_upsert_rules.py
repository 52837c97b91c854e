"""Upserts at the service: what each bulk item is answered, the history and events a merge
writes, the campaign history it adds to, and PATCH's own rules."""

from datetime import timedelta

import pytest
from django.utils import timezone

from leads.errors import InvalidLeadData, LeadDataConflict
from leads.input import CleanLead
from leads.models import CampaignTouch, Lead, StageTransition
from leads.services import lead_update, lead_upsert, leads_bulk_upsert
from smarketing.tenancy.actors import Actor
from smarketing.tenancy.roles import INTEGRATION, Role
from smarketing.tenancy.scope import tenant_scope
from tests.leads.factories import CampaignFactory, LeadFactory
from tests.leads.helpers import heard
from tests.personas.helpers import approved_persona

pytestmark = pytest.mark.django_db

KEY = Actor(user=None, role=INTEGRATION, label="crm-key")


def bulk(tenant, items, **kwargs):
    with tenant_scope(tenant):
        return [r.as_dict() for r in leads_bulk_upsert(tenant=tenant, actor=KEY, items=items,
                                                        **kwargs)]  # fmt: skip


def upsert(tenant, email, **fields):
    with tenant_scope(tenant):
        return lead_upsert(tenant=tenant, actor=KEY, data=CleanLead(email=email, fields=fields))


def update(tenant, lead, actor, email="", **fields):
    with tenant_scope(tenant):
        return lead_update(lead=lead, actor=actor, data=CleanLead(email=email, fields=fields))


def ids():
    return dict(Lead.all_tenants.values_list("email", "pk"))


# --- bulk ----------------------------------------------------------------------------------


def test_each_bulk_item_is_answered_with_its_status_id_and_email(tenant):
    LeadFactory(tenant=tenant, email="old@x.com", company="Old Co")
    LeadFactory(tenant=tenant, email="same@x.com", company="Same Co")
    campaign = CampaignFactory(tenant=tenant)
    results = bulk(tenant, [
        {"email": "new@x.com"},
        {"email": "broken"},
        {"email": "old@x.com", "company": "New Co"},
        {"email": "same@x.com", "company": "Same Co"},
        {"email": "gone@x.com", "campaign": campaign.pk + 100},
        {"email": "NEW@x.com", "title": "CTO"},
        {"email": "gone@x.com"},
    ])  # fmt: skip
    known = ids()
    missing = [f"No campaign {campaign.pk + 100} here."]
    assert results[0] == {"index": 0, "status": "created", "id": known["new@x.com"],
                          "email": "new@x.com"}  # fmt: skip
    assert results[1]["index"] == 1 and results[1]["status"] == "error"
    assert set(results[1]) == {"index", "status", "errors"} and results[1]["errors"]["email"]
    assert results[2:] == [
        {"index": 2, "status": "updated", "id": known["old@x.com"], "email": "old@x.com"},
        {"index": 3, "status": "unchanged", "id": known["same@x.com"], "email": "same@x.com"},
        {"index": 4, "status": "error", "email": "gone@x.com", "errors": {"campaign": missing}},
        # A later item for the same address was merged into the first one.
        {"index": 5, "status": "updated", "id": known["new@x.com"], "email": "new@x.com"},
        {"index": 6, "status": "error", "email": "gone@x.com", "errors": {"campaign": missing}},
    ]
    assert "gone@x.com" not in known
    assert Lead.all_tenants.get(email="new@x.com").title == "CTO"


def test_a_thousand_leads_are_one_request_and_more_are_refused(tenant):
    assert {r["status"] for r in bulk(tenant, [{"email": "broken"}] * 1000)} == {"error"}
    with pytest.raises(InvalidLeadData) as refused:
        bulk(tenant, [{"email": "broken"}] * 1001)
    assert refused.value.errors == {"items": ["At most 1000 leads per request."]}


def test_a_bulk_merge_is_recorded_with_the_fields_it_brought(tenant, member):
    LeadFactory(tenant=tenant, email="old@x.com", company="Old Co", stage="mql")
    marketer = Actor.member(member(tenant, Role.MARKETER), Role.MARKETER)
    before = timezone.now()
    with tenant_scope(tenant):
        leads_bulk_upsert(tenant=tenant, actor=marketer, items=[
            {"email": "old@x.com", "title": "CTO", "company": "New Co", "phone": ""}])  # fmt: skip
    merge = StageTransition.all_tenants.get()
    assert (merge.action, merge.from_stage, merge.to_stage, merge.actor, merge.actor_label) == (
        "merge", "mql", "mql", marketer.user, marketer.label)  # fmt: skip
    assert merge.note == "Merged new data into: company, title"
    assert before <= merge.at <= timezone.now()


def test_a_bulk_writes_the_fields_given_and_leaves_the_others_blank(tenant):
    LeadFactory(tenant=tenant, email="old@x.com", title="CEO", country="IT", company_size=9)
    bulk(tenant, [
        {"email": "new@x.com", "country": "fr", "company_size": 50, "industry": "Retail"},
        {"email": "old@x.com", "country": "DE", "company_size": 10},
    ])  # fmt: skip
    new = Lead.all_tenants.get(email="new@x.com")
    assert (new.country, new.company_size, new.industry) == ("FR", 50, "Retail")
    assert (new.first_name, new.title, new.phone, new.custom_fields, new.campaign_id) == (
        "", "", "", {}, None)  # fmt: skip
    old = Lead.all_tenants.get(email="old@x.com")
    assert (old.country, old.company_size, old.title) == ("DE", 10, "CEO")


def test_a_bulk_announces_its_new_leads_and_every_written_one(tenant, monkeypatch):
    created, changed = (
        heard(monkeypatch, "lead.created"),
        heard(monkeypatch, "lead.profile_changed"),
    )
    campaign = CampaignFactory(tenant=tenant)
    LeadFactory(tenant=tenant, email="old@x.com", company="Old Co")
    bulk(tenant, [
        {"email": "new@x.com", "first_name": "Ada", "last_name": "L", "company": "AE",
         "campaign": campaign.pk},
        {"email": "old@x.com", "company": "New Co"},
    ])  # fmt: skip
    known = ids()
    assert [{k: v for k, v in item.items() if k != "context"} for item in created] == [{
        "id": known["new@x.com"], "email": "new@x.com", "first_name": "Ada", "last_name": "L",
        "company": "AE", "stage": "lead", "score": 0, "campaign": campaign.pk, "persona": None,
        "owner": None,
    }]  # fmt: skip
    assert sorted(item["id"] for item in changed) == sorted(known.values())
    assert changed[0]["context"]["new_ids"] == [known["new@x.com"]]


def test_a_bulk_touches_each_named_campaign_when_the_new_lead_was_created(tenant):
    campaign = CampaignFactory(tenant=tenant)
    LeadFactory(tenant=tenant, email="old@x.com")
    bulk(tenant, [{"email": "new@x.com", "campaign": campaign.pk},
                  {"email": "old@x.com", "campaign": campaign.pk}, {"email": "none@x.com"}],
         touch_source="import")  # fmt: skip
    new = Lead.all_tenants.get(email="new@x.com")
    touches = {t.lead.email: (t.campaign_id, t.source, t.at) for t in
               CampaignTouch.all_tenants.select_related("lead")}  # fmt: skip
    assert touches == {"new@x.com": (campaign.pk, "import", new.created_at),
                       "old@x.com": (campaign.pk, "import", new.created_at)}  # fmt: skip


# --- one lead ------------------------------------------------------------------------------


def test_an_upsert_creates_then_merges_and_records_what_changed(tenant, monkeypatch):
    profile = heard(monkeypatch, "lead.profile_changed")
    created = upsert(tenant, "ada@x.com", first_name="Ada", company="AE")
    assert (created.created, created.changed_fields, created.current) == (
        True, ("first_name", "company"), True)  # fmt: skip
    stamped = Lead.all_tenants.get().updated_at
    merged = upsert(tenant, "ada@x.com", first_name="Ada", title="CTO", phone="",
                    custom_fields={"plan": "pro", "seats": None})  # fmt: skip
    assert (merged.created, merged.changed_fields, merged.current) == (
        False, ("title", "custom_fields"), True)  # fmt: skip
    assert merged.lead.custom_fields == {"plan": "pro"}
    row = Lead.all_tenants.get()
    assert (row.title, row.custom_fields) == ("CTO", {"plan": "pro"})
    assert row.updated_at > stamped
    [merge] = StageTransition.all_tenants.all()
    assert (merge.action, merge.note, merge.actor_label) == (
        "merge", "Merged new data into: custom_fields, title", "crm-key")  # fmt: skip
    same = upsert(tenant, "ada@x.com", title="CTO", custom_fields={"plan": "pro"})
    assert (same.created, same.changed_fields) == (False, ())
    assert StageTransition.all_tenants.count() == 1
    # Both writes announced with the instances as written (the merge under its row lock).
    assert [(p["id"], p["context"]["new_ids"], len(p["context"]["written_leads"]))
            for p in profile] == [(row.pk, [row.pk], 1), (row.pk, [], 1)]  # fmt: skip


def test_an_upsert_naming_a_campaign_adds_it_to_the_lead_s_history(tenant):
    spring, autumn = CampaignFactory(tenant=tenant), CampaignFactory(tenant=tenant)
    upsert(tenant, "ada@x.com", campaign=spring.pk)
    lead = Lead.all_tenants.get()
    before = timezone.now()
    with tenant_scope(tenant):
        lead_upsert(tenant=tenant, actor=KEY, touch_source="form",
                    data=CleanLead(email="ada@x.com", fields={"campaign": autumn.pk}))  # fmt: skip
    touches = list(CampaignTouch.all_tenants.order_by("at").values_list("campaign_id", "source",
                                                                        "at"))  # fmt: skip
    assert touches[0] == (spring.pk, "ingest", lead.created_at)
    assert touches[1][:2] == (autumn.pk, "form") and touches[1][2] >= before
    assert len(touches) == 2


def test_an_upsert_naming_no_campaign_of_ours_is_refused(tenant, other_tenant):
    theirs = CampaignFactory(tenant=other_tenant)
    with pytest.raises(LeadDataConflict) as refused:
        upsert(tenant, "ada@x.com", campaign=theirs.pk)
    assert refused.value.errors == {"campaign": [f"No campaign {theirs.pk} here."]}
    assert not Lead.all_tenants.exists()


# --- PATCH ---------------------------------------------------------------------------------


@pytest.fixture
def marketer(tenant, member):
    return Actor.member(member(tenant, Role.MARKETER), Role.MARKETER)


def test_a_patch_clears_the_campaign_and_changes_other_fields_with_it(tenant, marketer):
    campaign = CampaignFactory(tenant=tenant)
    lead = LeadFactory(tenant=tenant, campaign=campaign, company="Old")
    result = update(tenant, lead, marketer, campaign=None, company="New")
    assert result.changed_fields == ("campaign", "company")
    # The answer is the lead as written, not a new read of it.
    assert (result.lead, result.created, result.current) == (lead, False, False)
    assert (result.lead.campaign_id, result.lead.company) == (None, "New")
    row = Lead.all_tenants.get()
    assert (row.campaign_id, row.company) == (None, "New")
    assert StageTransition.all_tenants.get().note == "Merged new data into: campaign, company"
    assert not CampaignTouch.all_tenants.exists()


def test_a_patch_setting_a_campaign_is_an_edit_in_its_history(tenant, marketer, monkeypatch):
    profile = heard(monkeypatch, "lead.profile_changed")
    campaign = CampaignFactory(tenant=tenant)
    lead = LeadFactory(tenant=tenant)
    before = timezone.now()
    assert update(tenant, lead, marketer, campaign=campaign.pk).changed_fields == ("campaign_id",)
    touch = CampaignTouch.all_tenants.get()
    assert (touch.campaign_id, touch.source, touch.lead_id) == (campaign.pk, "edit", lead.pk)
    assert before <= touch.at <= timezone.now()
    assert Lead.all_tenants.get().campaign_id == campaign.pk
    # Not read under a row lock: handlers read the lead themselves.
    assert [(p["id"], p["context"]["written_leads"]) for p in profile] == [(lead.pk, ())]


def test_a_patch_moves_the_address_unless_another_lead_has_it(tenant, marketer):
    lead = LeadFactory(tenant=tenant, email="ada@x.com")
    LeadFactory(tenant=tenant, email="taken@x.com")
    with pytest.raises(LeadDataConflict) as refused:
        update(tenant, lead, marketer, email="taken@x.com")
    assert refused.value.errors == {"email": ["Another lead has the address taken@x.com."]}
    assert update(tenant, lead, marketer, email="ada@x.com").changed_fields == ()
    assert update(tenant, lead, marketer, email="lovelace@x.com").changed_fields == ("email",)
    assert Lead.all_tenants.get(pk=lead.pk).email == "lovelace@x.com"


def test_a_patch_naming_no_campaign_of_ours_is_refused(tenant, marketer):
    lead = LeadFactory(tenant=tenant)
    with pytest.raises(LeadDataConflict) as refused:
        update(tenant, lead, marketer, campaign=lead.pk + 10_000)
    assert refused.value.errors == {"campaign": [f"No campaign {lead.pk + 10_000} here."]}


def test_a_merge_keeps_the_updated_time_of_an_unchanged_lead(tenant, marketer):
    lead = LeadFactory(tenant=tenant, company="Same")
    Lead.all_tenants.filter(pk=lead.pk).update(updated_at=timezone.now() - timedelta(days=1))
    stamped = Lead.all_tenants.get().updated_at
    assert update(tenant, lead, marketer, company="Same").changed_fields == ()
    assert Lead.all_tenants.get().updated_at == stamped
    assert not StageTransition.all_tenants.exists()


def test_a_merge_answers_the_lead_with_its_owner_without_another_read(
    tenant, member, django_assert_num_queries
):
    rep = member(tenant, Role.SALES_REP)
    LeadFactory(tenant=tenant, email="ada@x.com", owner=rep)
    result = upsert(tenant, "ada@x.com", title="CTO")
    with django_assert_num_queries(0):
        assert result.lead.owner.email == rep.email


def test_an_upsert_scored_in_place_is_answered_from_its_instance(tenant):
    """Creating, merging and re-scoring are the upsert's own doings: the instance is the row."""
    with tenant_scope(tenant):
        approved_persona(tenant, criteria=[
            {"field": "country", "operator": "equals", "value": "IT", "weight": 100},
        ])  # fmt: skip
    created = upsert(tenant, "ada@x.com", country="IT")
    assert (created.created, created.current, created.lead.fit_score) == (True, True, 100)
    merged = upsert(tenant, "ada@x.com", country="FR")
    assert (merged.created, merged.current, merged.lead.fit_score) == (False, True, 0)
    assert Lead.all_tenants.get().fit_score == 0


def test_a_patch_writes_only_the_fields_it_changes(tenant, marketer):
    """The instance the caller holds may be older than the row: a PATCH of the company
    leaves the stage someone moved the lead to meanwhile."""
    lead = LeadFactory(tenant=tenant, company="Old", stage="lead")
    Lead.all_tenants.filter(pk=lead.pk).update(stage="mql")
    assert update(tenant, lead, marketer, company="New").changed_fields == ("company",)
    row = Lead.all_tenants.get(pk=lead.pk)
    assert (row.company, row.stage) == ("New", "mql")
