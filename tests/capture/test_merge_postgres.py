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


CAPTURE_TABLES = ("leads_leadconsent", "leads_leadmerge", "leads_leadmatchkey",
                  "leads_campaigntouch", "leads_webform", "leads_lead", "leads_leadevent",
                  "leads_stagetransition")  # fmt: skip


def _tables_holding(text: str) -> list[str]:
    """Every text or JSON column of the capture tables whose value contains `text`."""
    from django.db import connection

    found = []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name, column_name FROM information_schema.columns "
            "WHERE table_schema = current_schema() AND table_name = ANY(%s) "
            "AND data_type IN ('text', 'character varying', 'jsonb', 'json', 'inet')",
            [list(CAPTURE_TABLES)],
        )
        for table, column in cursor.fetchall():
            cursor.execute(
                f'SELECT count(*) FROM "{table}" WHERE "{column}"::text ILIKE %s', [f"%{text}%"]
            )
            if cursor.fetchone()[0]:
                found.append(f"{table}.{column}")
    return found


def test_erasing_a_merged_form_lead_leaves_its_address_nowhere_in_capture_tables(
    tenant, api_client_for, settings
):
    import json

    from django.test import Client

    from smarketing.tenancy.scope import cross_tenant_scope
    from tests.leads.factories import WebFormFactory

    settings.WEBFORM_MIN_FILL_SECONDS = 0
    form = WebFormFactory(tenant=tenant, consent_text="OK", allowed_origins=["https://a.example"])
    sent = Client().post(f"/f/{form.key}/", json.dumps({"email": "erase.me+x@gmail.com",
                         "consent": True, "page_url": "https://a.example/?e=erase.me+x@gmail.com"}),
                         content_type="application/json", HTTP_ORIGIN="https://a.example",
                         REMOTE_ADDR="203.0.113.77")  # fmt: skip
    assert sent.status_code == 201
    other = LeadFactory(tenant=tenant, email="eraseme@gmail.com")
    client = api_client_for(tenant, Role.ADMIN)
    survivor = Lead.all_tenants.get(email="erase.me+x@gmail.com")
    merged = client.post(
        f"/api/v1/leads/{survivor.pk}/merge/",
        {"other": other.pk, "fields": {"email": "this"}},
        format="json",
    )
    assert merged.status_code == 200
    with cross_tenant_scope():
        assert _tables_holding("erase.me") and _tables_holding("203.0.113.77")
    assert client.post(f"/api/v1/leads/{survivor.pk}/erase/").status_code == 200
    with cross_tenant_scope():
        assert _tables_holding("erase.me") == []
        assert _tables_holding("eraseme@") == []
        assert _tables_holding("203.0.113.77") == []
