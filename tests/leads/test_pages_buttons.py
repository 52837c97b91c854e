"""Which moves the lead page offers to each role, following the lifecycle table."""

import pytest
from django.utils import timezone

from leads.models import Stage
from leads.page_actions import bulk_actions, lead_actions
from smarketing.tenancy.actors import Actor
from smarketing.tenancy.roles import Role
from tests.leads.factories import LeadFactory
from tests.leads.helpers import buttons, leads_url, text_of

pytestmark = pytest.mark.django_db


def test_a_marketer_sees_marketing_moves_on_a_new_lead(tenant, as_role, reasons):
    client, _ = as_role(Role.MARKETER)
    lead = LeadFactory(tenant=tenant, stage=Stage.LEAD)

    shown = buttons(client.get(leads_url(tenant, lead.pk)))

    assert {"Flag as MQL", "Disqualify"} <= shown
    assert not shown & {"Accept", "Reject", "Log touch", "Hand off to sales"}


def test_a_marketer_hands_off_or_unflags_an_mql_and_a_rep_cannot(tenant, as_role):
    marketer, _ = as_role(Role.MARKETER)
    rep, _ = as_role(Role.SALES_REP)
    lead = LeadFactory(tenant=tenant, stage=Stage.MQL)

    assert {"Hand off to sales", "Unflag"} <= buttons(marketer.get(leads_url(tenant, lead.pk)))
    assert not buttons(rep.get(leads_url(tenant, lead.pk))) & {"Hand off to sales", "Unflag"}


def test_a_rep_sees_accept_and_reject_on_an_unaccepted_sql(tenant, as_role, reasons):
    rep, _ = as_role(Role.SALES_REP)
    marketer, _ = as_role(Role.MARKETER)
    lead = LeadFactory(tenant=tenant, stage=Stage.SQL)

    rep_page = rep.get(leads_url(tenant, lead.pk))

    assert {"Accept", "Reject", "Log touch"} <= buttons(rep_page)
    assert "Move to opportunity" not in buttons(rep_page)
    assert ">Bad fit</option>" in text_of(rep_page)  # the tenant's rejection reasons
    assert not buttons(marketer.get(leads_url(tenant, lead.pk))) & {"Accept", "Reject"}


def test_only_the_owner_works_an_accepted_sql(tenant, as_role, reasons):
    owner_client, owner = as_role(Role.SALES_REP)
    other_client, _ = as_role(Role.SALES_REP)
    lead = LeadFactory(tenant=tenant, stage=Stage.SQL, owner=owner, accepted_at=timezone.now())

    owner_sees = buttons(owner_client.get(leads_url(tenant, lead.pk)))
    other_sees = buttons(other_client.get(leads_url(tenant, lead.pk)))

    assert {"Move to opportunity", "Mark as lost", "Disqualify", "Reject"} <= owner_sees
    assert "Accept" not in owner_sees
    assert not other_sees & {"Accept", "Reject", "Move to opportunity", "Mark as lost"}


def test_a_manager_sees_every_legal_move(tenant, as_role, reasons):
    client, _ = as_role(Role.MANAGER)
    lead = LeadFactory(tenant=tenant, stage=Stage.OPPORTUNITY)

    page = client.get(leads_url(tenant, lead.pk))

    assert {"Mark as won", "Mark as lost", "Log touch"} <= buttons(page)
    assert 'name="amount"' in text_of(page)


def test_page_actions_follow_the_lifecycle_table(tenant, member):
    marketer = Actor.member(member(tenant, Role.MARKETER), Role.MARKETER)
    rep = Actor.member(member(tenant, Role.SALES_REP), Role.SALES_REP)
    recycled = LeadFactory(tenant=tenant, stage=Stage.RECYCLED)
    won = LeadFactory(tenant=tenant, stage=Stage.WON)

    assert [a.label for a in lead_actions(lead=recycled, actor=marketer)] == [
        "Flag as MQL",
        "Disqualify",
    ]
    assert lead_actions(lead=won, actor=marketer) == []
    assert [a.target for a in bulk_actions(actor=marketer)] == [Stage.MQL, Stage.SQL]
    assert bulk_actions(actor=rep) == []
