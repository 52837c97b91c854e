"""Pressing the lead page's buttons: moves, accept races, reasons, touches, tenancy, CSRF."""

from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from leads.models import Lead, LeadEvent, Stage, StageTransition
from smarketing.tenancy.roles import Role
from tests.leads.factories import LeadFactory
from tests.leads.helpers import leads_url, text_of

pytestmark = pytest.mark.django_db


def test_flagging_and_handing_off_from_the_lead_page(tenant, as_role):
    client, user = as_role(Role.MARKETER)
    lead = LeadFactory(tenant=tenant, stage=Stage.LEAD)

    flagged = client.post(leads_url(tenant, lead.pk, "move"), {"to": "mql"}, follow=True)
    handed = client.post(leads_url(tenant, lead.pk, "move"), {"to": "sql"}, follow=True)

    assert "Flagged as MQL." in text_of(flagged)
    assert "Handed off to sales" in text_of(handed)
    assert 'data-testid="stage">SQL<' in text_of(handed)
    assert Lead.all_tenants.get(pk=lead.pk).stage == Stage.SQL
    timeline = text_of(handed)[text_of(handed).index("Timeline") :]
    assert timeline.index("MQL → SQL") < timeline.index("Lead → MQL")
    assert f"by {user.email}" in timeline


def test_a_second_accept_shows_who_accepted_first(tenant, as_role):
    first_client, first = as_role(Role.SALES_REP, email="first@acme.example")
    second_client, _ = as_role(Role.SALES_REP)
    lead = LeadFactory(tenant=tenant, stage=Stage.SQL)

    won = first_client.post(leads_url(tenant, lead.pk, "accept"), follow=True)
    lost = second_client.post(leads_url(tenant, lead.pk, "accept"), follow=True)

    assert "Accepted: you own this lead now." in text_of(won)
    assert lost.status_code == 200
    assert "first@acme.example accepted this lead already." in text_of(lost)
    assert Lead.all_tenants.get(pk=lead.pk).owner == first


def test_an_illegal_move_is_a_message_not_an_error_page(tenant, as_role):
    client, _ = as_role(Role.MARKETER)
    lead = LeadFactory(tenant=tenant, stage=Stage.LEAD)

    response = client.post(
        leads_url(tenant, lead.pk, "move"), {"to": "won", "amount": "10"}, follow=True
    )

    assert response.status_code == 200
    assert 'class="message error"' in text_of(response)
    assert "A lead cannot move from lead to won." in text_of(response)


def test_a_move_the_role_may_not_make_is_refused_with_a_message(tenant, as_role):
    client, _ = as_role(Role.MARKETER)
    lead = LeadFactory(tenant=tenant, stage=Stage.SQL)

    page = text_of(client.post(leads_url(tenant, lead.pk, "accept"), follow=True))

    assert "Only sales reps (and managers) accept SQLs." in page
    assert Lead.all_tenants.get(pk=lead.pk).accepted_at is None


def test_rejecting_needs_a_reason_and_records_it_with_the_note(tenant, as_role, reasons):
    client, _ = as_role(Role.SALES_REP)
    lead = LeadFactory(tenant=tenant, stage=Stage.SQL)

    missing = client.post(leads_url(tenant, lead.pk, "reject"), {"note": "?"}, follow=True)
    done = client.post(
        leads_url(tenant, lead.pk, "reject"),
        {"reason_code": "no_budget", "note": "Budget frozen until Q3"},
        follow=True,
    )

    assert "Reason: This field is required." in text_of(missing)
    assert Lead.all_tenants.get(pk=lead.pk).stage == Stage.RECYCLED
    page = text_of(done)
    assert "Rejected, back to marketing" in page
    assert "Reason: No budget" in page and "Budget frozen until Q3" in page


def test_disqualifying_without_a_reason_explains_what_is_missing(tenant, as_role):
    client, _ = as_role(Role.MARKETER)
    lead = LeadFactory(tenant=tenant, stage=Stage.LEAD)

    page = text_of(
        client.post(leads_url(tenant, lead.pk, "move"), {"to": "disqualified"}, follow=True)
    )

    assert "Moving to disqualified needs a reason code." in page
    assert Lead.all_tenants.get(pk=lead.pk).stage == Stage.LEAD


def test_the_owner_wins_an_opportunity_with_its_amount(tenant, as_role):
    client, rep = as_role(Role.SALES_REP)
    lead = LeadFactory(
        tenant=tenant, stage=Stage.OPPORTUNITY, owner=rep, accepted_at=timezone.now()
    )

    page = text_of(
        client.post(
            leads_url(tenant, lead.pk, "move"),
            {"to": "won", "amount": "12500.00", "note": "Signed"},
            follow=True,
        )
    )

    assert "Marked as won." in page and "Amount: 12500.00" in page
    assert StageTransition.all_tenants.get(lead=lead, to_stage=Stage.WON).amount == Decimal(
        "12500.00"
    )


def test_the_owner_moves_an_sql_to_opportunity_with_a_pipeline_amount(tenant, as_role):
    client, rep = as_role(Role.SALES_REP)
    lead = LeadFactory(tenant=tenant, stage=Stage.SQL, owner=rep, accepted_at=timezone.now())
    form = text_of(client.get(leads_url(tenant, lead.pk)))
    assert 'aria-label="Pipeline amount"' in form

    page = text_of(
        client.post(
            leads_url(tenant, lead.pk, "move"), {"to": "opportunity", "amount": "30000"},
            follow=True,
        )
    )  # fmt: skip

    assert "Moved to opportunity." in page
    moved = StageTransition.all_tenants.get(lead=lead, to_stage=Stage.OPPORTUNITY)
    assert moved.amount == Decimal("30000")


def test_a_rep_logs_a_touch_that_appears_on_the_timeline(tenant, as_role):
    client, rep = as_role(Role.SALES_REP)
    lead = LeadFactory(tenant=tenant, stage=Stage.SQL, owner=rep, accepted_at=timezone.now())

    page = text_of(
        client.post(
            leads_url(tenant, lead.pk, "touch"),
            {"type": "call", "note": "Left a voicemail"},
            follow=True,
        )
    )

    assert "Call logged." in page and "Left a voicemail" in page
    event = LeadEvent.all_tenants.get(lead=lead)
    assert (event.type, event.actor) == ("call", rep)


def test_an_action_on_another_tenants_lead_is_404(tenant, other_tenant, as_role):
    client, _ = as_role(Role.MANAGER)
    foreign = LeadFactory(tenant=other_tenant, stage=Stage.LEAD)

    assert client.get(leads_url(tenant, foreign.pk)).status_code == 404
    assert client.post(leads_url(tenant, foreign.pk, "move"), {"to": "mql"}).status_code == 404
    assert Lead.all_tenants.get(pk=foreign.pk).stage == Stage.LEAD


def test_action_forms_carry_a_csrf_token_and_need_it(tenant, member):
    user = member(tenant, Role.MARKETER)
    lead = LeadFactory(tenant=tenant, stage=Stage.LEAD)
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(user)

    page = text_of(strict.get(leads_url(tenant, lead.pk)))
    refused = strict.post(leads_url(tenant, lead.pk, "move"), {"to": "mql"})

    assert page.count('name="csrfmiddlewaretoken"') >= 3  # logout, flag, disqualify
    assert refused.status_code == 403
    assert Lead.all_tenants.get(pk=lead.pk).stage == Stage.LEAD
