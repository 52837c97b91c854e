"""Merge and undo on PostgreSQL (row-level security on): every row comes back as it was."""

from datetime import timedelta

import pytest
from django.utils import timezone

from leads.duplicates.models import LeadMatchKey
from leads.models import CampaignTouch, Lead, LeadEvent, StageTransition
from leads.webforms.models import LeadConsent
from sla.models import Obligation
from smarketing.tenancy.roles import Role
from tests.leads.factories import CampaignFactory, LeadEventFactory, LeadFactory
from tests.sla.factories import ObligationFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

# Columns the merge and its undo may rewrite without changing what the row says.
VOLATILE = {"updated_at"}


def _rows(lead_ids):
    rows = {}
    for model in (Lead, LeadEvent, StageTransition, CampaignTouch, LeadConsent, Obligation):
        field = "pk" if model is Lead else "lead_id"
        for row in model.all_tenants.filter(**{f"{field}__in": lead_ids}).values():
            rows[(model.__name__, row["id"])] = {k: v for k, v in row.items() if k not in VOLATILE}
    keys = LeadMatchKey.all_tenants.filter(lead_id__in=lead_ids)
    rows[("LeadMatchKey", 0)] = sorted(keys.values_list("lead_id", "kind", "value"))
    return rows


def test_merge_and_undo_restore_every_row_of_both_leads(tenant, api_client_for):
    now = timezone.now()
    campaign = CampaignFactory(tenant=tenant)
    a = ObligationFactory(tenant=tenant, opened_at=now, due_at=now + timedelta(hours=6)).lead
    b = ObligationFactory(tenant=tenant, opened_at=now, due_at=now + timedelta(hours=1)).lead
    c = LeadFactory(tenant=tenant)  # an unrelated lead stays untouched
    for obligation in Obligation.all_tenants.all():  # the queue's copy, as the SLA keeps it
        Lead.all_tenants.filter(pk=obligation.lead_id).update(
            accept_due_at=obligation.due_at, accept_warn_at=obligation.warn_at
        )
    for lead, kind in ((a, "page_view"), (b, "download"), (b, "webinar"), (c, "page_view")):
        LeadEventFactory(lead=lead, type=kind, properties={"k": kind})
    CampaignTouch.all_tenants.create(tenant=tenant, lead=b, campaign=campaign, source="utm", at=now)
    LeadConsent.all_tenants.create(tenant=tenant, lead=b, text="OK", version=2, given_at=now,
                                   ip_address="2001:db8::1")  # fmt: skip
    client = api_client_for(tenant, Role.MANAGER)
    # Same person by phone: both get keys through a PATCH, as in real use.
    client.patch(f"/api/v1/leads/{a.pk}/", {"phone": "+39 02 555 0142"}, format="json")
    client.patch(f"/api/v1/leads/{b.pk}/", {"phone": "02 555 0142", "country": "IT"},
                 format="json")  # fmt: skip
    before = _rows([a.pk, b.pk, c.pk])

    merged = client.post(f"/api/v1/leads/{a.pk}/merge/",
                         {"other": b.pk, "fields": {"email": "other", "last_name": "other"}},
                         format="json")  # fmt: skip
    assert merged.status_code == 200, merged.json()
    during = _rows([a.pk, b.pk, c.pk])
    assert during != before
    assert not LeadEvent.all_tenants.filter(lead=b).exists()

    undone = client.post(f"/api/v1/leads/merges/{merged.json()['merge']['id']}/undo/")
    assert undone.status_code == 200, undone.json()
    after = _rows([a.pk, b.pk, c.pk])
    # The merge and its undo are recorded as new history rows; everything else is as before.
    new = {key for key in after if key not in before}
    assert all(key[0] == "StageTransition" for key in new)
    assert {after[key]["note"] for key in new} == {
        f"Lead {b.pk} merged into this one.", f"Merge with lead {b.pk} undone.",
        f"Merge into lead {a.pk} undone.",
    }  # fmt: skip
    assert {key: after[key] for key in before} == before
