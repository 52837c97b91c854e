"""Bulk moves from the lead list: a result per lead, refusals, tenancy, the way back."""

import pytest

from leads.models import Lead, Stage, StageTransition
from smarketing.tenancy.roles import Role
from tests.leads.factories import LeadFactory
from tests.leads.helpers import buttons, leads_url, stages_of, text_of

pytestmark = pytest.mark.django_db


def test_bulk_flag_moves_each_lead_it_can_and_reports_the_others(tenant, as_role):
    client, _ = as_role(Role.MARKETER)
    fresh = LeadFactory.create_batch(3, tenant=tenant, stage=Stage.LEAD)
    recycled = LeadFactory(tenant=tenant, stage=Stage.RECYCLED)
    handed_off = LeadFactory.create_batch(2, tenant=tenant, stage=Stage.SQL)
    chosen = [*fresh, recycled, *handed_off]

    response = client.post(
        leads_url(tenant, "bulk"),
        {"action": "mql", "lead": [lead.pk for lead in chosen], "next": leads_url(tenant)},
        follow=True,
    )

    page = text_of(response)
    assert "4 flagged, 2 skipped: already SQL." in page
    assert stages_of(chosen[:4]) == {Stage.MQL}
    assert stages_of(handed_off) == {Stage.SQL}
    assert StageTransition.all_tenants.filter(to_stage=Stage.MQL).count() == 4
    report = page[page.index("result per lead") :]
    assert f"{handed_off[0].email}</a>" in report and "— already SQL" in report


def test_bulk_hand_off_explains_leads_that_are_not_mqls_yet(tenant, as_role):
    client, _ = as_role(Role.MARKETER)
    mqls = LeadFactory.create_batch(2, tenant=tenant, stage=Stage.MQL)
    raw = LeadFactory(tenant=tenant, stage=Stage.LEAD)
    won = LeadFactory(tenant=tenant, stage=Stage.WON)

    response = client.post(
        leads_url(tenant, "bulk"),
        {"action": "sql", "lead": [raw.pk, *[m.pk for m in mqls], won.pk]},
        follow=True,
    )

    page = text_of(response)
    assert "2 handed off, 2 skipped:" in page
    assert "not MQL yet (1)" in page and "already Won (1)" in page
    assert stages_of(mqls) == {Stage.SQL}


def test_bulk_ignores_leads_of_another_tenant(tenant, other_tenant, as_role):
    client, _ = as_role(Role.MARKETER)
    foreign = LeadFactory(tenant=other_tenant, stage=Stage.LEAD)

    page = text_of(
        client.post(leads_url(tenant, "bulk"), {"action": "mql", "lead": [foreign.pk]}, follow=True)
    )

    assert "0 flagged, 1 skipped: not found." in page
    assert Lead.all_tenants.get(pk=foreign.pk).stage == Stage.LEAD


def test_bulk_without_a_selection_says_so(tenant, as_role):
    client, _ = as_role(Role.MARKETER)

    page = text_of(client.post(leads_url(tenant, "bulk"), {"action": "mql"}, follow=True))

    assert "Select at least one lead." in page


def test_sales_reps_get_no_bulk_moves(tenant, as_role):
    client, _ = as_role(Role.SALES_REP)
    lead = LeadFactory(tenant=tenant, stage=Stage.LEAD)

    listing = client.get(leads_url(tenant))
    refused = client.post(
        leads_url(tenant, "bulk"), {"action": "mql", "lead": [lead.pk]}, follow=True
    )

    assert 'name="lead"' not in text_of(listing) and "Flag as MQL" not in buttons(listing)
    assert "may not move leads to MQL" in text_of(refused)
    assert Lead.all_tenants.get(pk=lead.pk).stage == Stage.LEAD


def test_bulk_redirects_back_only_to_the_lead_list(tenant, as_role):
    client, _ = as_role(Role.MARKETER)
    lead = LeadFactory(tenant=tenant)

    kept = client.post(
        leads_url(tenant, "bulk"),
        {"action": "mql", "lead": [lead.pk], "next": leads_url(tenant) + "?page=2"},
    )
    foreign = client.post(
        leads_url(tenant, "bulk"),
        {"action": "mql", "lead": [lead.pk], "next": "https://evil.example/"},
    )

    assert kept["Location"] == leads_url(tenant) + "?page=2"
    assert foreign["Location"] == leads_url(tenant)
