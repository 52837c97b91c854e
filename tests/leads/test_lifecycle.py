from decimal import Decimal

import pytest
from django.utils import timezone

from leads import lifecycle
from leads.errors import InvalidLeadData
from leads.models import Lead, Stage, StageTransition
from leads.services import lead_transition
from smarketing.tenancy.actors import Actor
from smarketing.tenancy.roles import Role
from smarketing.tenancy.scope import tenant_scope
from tests.leads.factories import LeadFactory

pytestmark = pytest.mark.django_db


def move(client, lead, to, **body):
    return client.post(f"/api/v1/leads/{lead.pk}/transition/", {"to": to, **body})


def test_every_move_in_the_table_starts_from_an_open_stage():
    final = {Stage.WON, Stage.LOST, Stage.DISQUALIFIED}
    assert all(m.source not in final for m in lifecycle.MOVES)
    assert {m.target for m in lifecycle.MOVES} <= set(Stage.values)


def test_a_marketer_flags_an_mql_and_hands_it_off(tenant, api_client_for):
    lead = LeadFactory(tenant=tenant)
    client = api_client_for(tenant, Role.MARKETER)
    assert move(client, lead, "mql").json()["stage"] == "mql"
    assert move(client, lead, "sql").json()["stage"] == "sql"
    history = list(StageTransition.all_tenants.filter(lead=lead).order_by("at")
                   .values_list("from_stage", "to_stage", "actor"))  # fmt: skip
    assert history == [("lead", "mql", client.user.pk), ("mql", "sql", client.user.pk)]


def test_an_illegal_move_answers_409_illegal_transition(tenant, api_client_for):
    lead = LeadFactory(tenant=tenant)
    response = move(api_client_for(tenant, Role.MANAGER), lead, "won", amount="10")
    assert response.status_code == 409
    assert response.json()["code"] == "illegal_transition"


def test_a_legal_move_by_the_wrong_role_answers_403(tenant, api_client_for):
    lead = LeadFactory(tenant=tenant)
    response = move(api_client_for(tenant, Role.SALES_REP), lead, "mql")
    assert response.status_code == 403


def test_disqualifying_needs_a_reason_code(tenant, api_client_for):
    lead = LeadFactory(tenant=tenant)
    client = api_client_for(tenant, Role.MARKETER)
    response = move(client, lead, "disqualified")
    assert response.status_code == 400
    assert "reason" in response.json()["errors"]["reason_code"][0]
    assert move(client, lead, "disqualified", reason_code="spam").status_code == 200


def test_a_rep_accepts_then_wins_the_deal_with_an_amount(tenant, api_client_for):
    lead = LeadFactory(tenant=tenant, stage=Stage.SQL)
    rep = api_client_for(tenant, Role.SALES_REP)
    accepted = rep.post(f"/api/v1/leads/{lead.pk}/accept/").json()
    assert accepted["owner"]["email"] == rep.user.email
    assert accepted["stage"] == "sql"
    assert accepted["accepted_at"] is not None
    assert move(rep, lead, "opportunity").status_code == 200
    assert move(rep, lead, "won").status_code == 400
    assert move(rep, lead, "won", amount="12500.00").json()["stage"] == "won"
    assert StageTransition.all_tenants.get(lead=lead, to_stage="won").amount == 12500


def test_only_the_owner_works_an_accepted_sql(tenant, api_client_for):
    lead = LeadFactory(tenant=tenant, stage=Stage.SQL)
    owner = api_client_for(tenant, Role.SALES_REP)
    other = api_client_for(tenant, Role.SALES_REP)
    owner.post(f"/api/v1/leads/{lead.pk}/accept/")
    assert move(other, lead, "opportunity").status_code == 403


def test_a_second_accept_loses_and_is_told_who_accepted(tenant, api_client_for):
    lead = LeadFactory(tenant=tenant, stage=Stage.SQL)
    first = api_client_for(tenant, Role.SALES_REP)
    second = api_client_for(tenant, Role.SALES_REP)
    first.post(f"/api/v1/leads/{lead.pk}/accept/")
    response = second.post(f"/api/v1/leads/{lead.pk}/accept/")
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "already_accepted"
    assert first.user.email in body["detail"]
    assert body["accepted_by"]["email"] == first.user.email


def test_rejecting_sends_the_sql_back_to_marketing_with_a_tenant_reason(tenant, api_client_for):
    lead = LeadFactory(tenant=tenant, stage=Stage.SQL)
    rep = api_client_for(tenant, Role.SALES_REP)
    unknown = rep.post(f"/api/v1/leads/{lead.pk}/reject/", {"reason_code": "meh"})
    # A reason code the tenant has not defined: the tenant's data refuses it (409).
    assert unknown.status_code == 409
    assert "no_budget" in unknown.json()["errors"]["reason_code"][0]
    response = rep.post(f"/api/v1/leads/{lead.pk}/reject/",
                        {"reason_code": "no_budget", "note": "Budget frozen until Q3"})  # fmt: skip
    assert response.json()["stage"] == "recycled"
    rejection = StageTransition.all_tenants.get(lead=lead, action="reject")
    assert (rejection.reason_code, rejection.note) == ("no_budget", "Budget frozen until Q3")


def test_a_move_against_a_stale_stage_answers_stale_stage(tenant, member):
    from leads.errors import StaleStage
    from leads.services import lead_transition
    from smarketing.tenancy.actors import Actor
    from smarketing.tenancy.scope import tenant_scope

    lead = LeadFactory(tenant=tenant)
    marketer = Actor.member(member(tenant, Role.MARKETER), Role.MARKETER)
    seen_by_other_tab = type(lead).all_tenants.get(pk=lead.pk)
    with tenant_scope(tenant):
        lead_transition(lead=lead, to="mql", actor=marketer)
        with pytest.raises(StaleStage, match="moved from lead to mql"):
            lead_transition(lead=seen_by_other_tab, to="disqualified", actor=marketer,
                            reason_code="spam")  # fmt: skip


def test_managers_assign_an_owner_and_it_is_recorded(tenant, api_client_for, member):
    lead = LeadFactory(tenant=tenant, stage=Stage.SQL, accepted_at=timezone.now())
    rep = member(tenant, Role.SALES_REP)
    manager = api_client_for(tenant, Role.MANAGER)
    response = manager.post(f"/api/v1/leads/{lead.pk}/assign/", {"owner": rep.email})
    assert response.json()["owner"]["email"] == rep.email
    assert StageTransition.all_tenants.get(lead=lead, action="assign").actor == manager.user
    outsider = manager.post(f"/api/v1/leads/{lead.pk}/assign/", {"owner": "nobody@x.com"})
    assert outsider.status_code == 409
    assert outsider.json()["errors"] == {
        "owner": ["nobody@x.com is not a sales rep or manager here."]
    }


def test_history_lists_transitions_and_events_newest_first(tenant, api_client_for):
    lead = LeadFactory(tenant=tenant)
    client = api_client_for(tenant, Role.MARKETER)
    move(client, lead, "mql")
    client.post("/api/v1/events/", [{"lead_id": lead.pk, "type": "download",
                                     "occurred_at": timezone.now().isoformat()}])  # fmt: skip
    history = client.get(f"/api/v1/leads/{lead.pk}/history/").json()
    assert [entry["kind"] for entry in history] == ["event", "transition"]


def test_an_opportunity_takes_an_optional_pipeline_amount(tenant, api_client_for):
    rep = api_client_for(tenant, Role.SALES_REP)
    priced = LeadFactory(tenant=tenant, stage=Stage.SQL, owner=rep.user, accepted_at=timezone.now())
    unpriced = LeadFactory(tenant=tenant, stage=Stage.SQL, owner=rep.user,
                           accepted_at=timezone.now())  # fmt: skip
    assert move(rep, priced, "opportunity", amount="40000.00").status_code == 200
    assert move(rep, unpriced, "opportunity").status_code == 200
    amounts = dict(StageTransition.all_tenants.filter(to_stage="opportunity")
                   .values_list("lead_id", "amount"))  # fmt: skip
    assert amounts == {priced.pk: 40000, unpriced.pk: None}


def test_the_stage_service_refuses_a_negative_pipeline_amount(tenant, member):
    rep = member(tenant, Role.SALES_REP)
    lead = LeadFactory(tenant=tenant, stage=Stage.SQL, owner=rep, accepted_at=timezone.now())
    with tenant_scope(tenant), pytest.raises(InvalidLeadData) as refused:
        lead_transition(lead=lead, to=Stage.OPPORTUNITY, actor=Actor.member(rep, Role.SALES_REP),
                        amount=Decimal("-1"))  # fmt: skip
    assert "amount" in refused.value.errors
    assert Lead.all_tenants.get(pk=lead.pk).stage == Stage.SQL
