"""Obligations open and close with what happens to leads (through the leads' own events)."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from leads import services as leads
from leads.models import Lead, Stage
from sla import services
from sla.models import Breach, Obligation, SlaStatus
from smarketing.events.models import OutboxEvent
from smarketing.tenancy.actors import Actor
from smarketing.tenancy.roles import Role
from smarketing.tenancy.scope import tenant_scope
from tests.leads.factories import LeadFactory, RejectionReasonFactory
from tests.sla.factories import ObligationFactory, SlaVersionFactory

pytestmark = pytest.mark.django_db

MONDAY = datetime(2027, 3, 22, 10, 0, tzinfo=UTC)


def as_member(user, role):
    return Actor.member(user, role)


def hand_off(tenant, people, **lead_fields):
    """A marketer hands an MQL off to sales; returns the lead (now an SQL)."""
    lead = LeadFactory(tenant=tenant, stage=Stage.MQL, **lead_fields)
    with tenant_scope(tenant):
        leads.lead_transition(lead=lead, to=Stage.SQL,
                              actor=as_member(people["marketer"], Role.MARKETER))  # fmt: skip
    return lead


def obligations(lead, **filters):
    return list(Obligation.all_tenants.filter(lead=lead, **filters).order_by("id"))


def test_a_hand_off_opens_an_accept_obligation_due_in_business_hours(
    tenant, people, active_sla, clock
):
    version = active_sla(accept_within_hours=4)
    clock.set(MONDAY)
    lead = hand_off(tenant, people)
    [accept] = obligations(lead)
    assert (accept.kind, accept.status, accept.version_id) == ("accept", "pending", version.pk)
    assert accept.opened_at == MONDAY
    assert accept.due_at == MONDAY + timedelta(hours=4)
    assert accept.warn_at == MONDAY + timedelta(hours=3.2)
    assert accept.owner_id is None  # waiting in the queue


def test_a_hot_lead_gets_the_tighter_deadline(tenant, people, active_sla, clock):
    active_sla(accept_within_hours=4, hot_score=80, hot_accept_within_hours=1)
    clock.set(MONDAY)
    [accept] = obligations(hand_off(tenant, people, score=85))
    assert accept.due_at == MONDAY + timedelta(hours=1)
    assert accept.is_hot
    assert accept.within_hours == 1


def test_without_an_active_sla_nothing_is_owed(tenant, people):
    SlaVersionFactory(tenant=tenant)  # a draft binds nobody
    assert obligations(hand_off(tenant, people)) == []


def test_accepting_meets_accept_and_opens_first_touch_for_the_new_owner(
    tenant, people, active_sla, clock
):
    active_sla(accept_within_hours=4, first_touch_within_hours=8)
    clock.set(MONDAY)
    lead = hand_off(tenant, people)
    clock.set(MONDAY + timedelta(minutes=90))
    rep = people["sales_rep"]
    with tenant_scope(tenant):
        leads.lead_accept(lead=lead, actor=as_member(rep, Role.SALES_REP))
    accept, first_touch = obligations(lead)
    assert (accept.status, accept.response_business_hours) == ("met", 1.5)
    assert accept.met_at == MONDAY + timedelta(minutes=90)
    assert (first_touch.kind, first_touch.status, first_touch.owner_id) == (
        "first_touch", "pending", rep.pk,
    )  # fmt: skip
    assert first_touch.due_at == MONDAY + timedelta(minutes=90, hours=8)

    clock.set(MONDAY + timedelta(hours=3))
    with tenant_scope(tenant):
        leads.lead_touch_log(lead=lead, actor=as_member(rep, Role.SALES_REP), type="call")
    first_touch.refresh_from_db()
    assert (first_touch.status, first_touch.response_business_hours) == ("met", 1.5)


def test_engagement_that_is_no_sales_touch_meets_nothing(tenant, people, active_sla):
    active_sla()
    lead = hand_off(tenant, people)
    with tenant_scope(tenant):
        leads.lead_accept(lead=lead, actor=as_member(people["sales_rep"], Role.SALES_REP))
        leads.lead_events_record(tenant=tenant, actor=Actor.system(), items=[
            {"lead_id": lead.pk, "type": "email_open", "occurred_at": timezone.now()}
        ])  # fmt: skip
    assert obligations(lead, kind="first_touch")[0].status == "pending"


def test_a_rejection_is_an_answer_too(tenant, people, active_sla):
    active_sla()
    lead = hand_off(tenant, people)
    RejectionReasonFactory(tenant=tenant, code="bad_fit_x")
    with tenant_scope(tenant):
        leads.lead_reject(lead=lead, actor=as_member(people["sales_rep"], Role.SALES_REP),
                          reason_code="bad_fit_x")  # fmt: skip
    [accept] = obligations(lead)
    assert accept.status == "met"
    assert accept.met_at is not None


def test_leaving_sql_otherwise_cancels_what_is_pending(tenant, people, active_sla):
    active_sla()
    lead = hand_off(tenant, people)
    rep = as_member(people["sales_rep"], Role.SALES_REP)
    with tenant_scope(tenant):
        leads.lead_accept(lead=lead, actor=rep)
        leads.lead_transition(lead=lead, to=Stage.OPPORTUNITY, actor=rep)
    accept, first_touch = obligations(lead)
    assert accept.status == "met"
    assert first_touch.status == "cancelled"
    assert first_touch.cancelled_at is not None


def test_a_lead_leaving_sql_cancels_only_its_own_obligations(tenant, people, active_sla):
    active_sla()
    leaving, staying = hand_off(tenant, people), hand_off(tenant, people)
    rep = as_member(people["sales_rep"], Role.SALES_REP)
    with tenant_scope(tenant):
        leads.lead_accept(lead=leaving, actor=rep)
        leads.lead_transition(lead=leaving, to=Stage.OPPORTUNITY, actor=rep)
    assert [o.status for o in obligations(staying)] == ["pending"]
    assert Lead.all_tenants.get(pk=staying.pk).accept_due_at is not None  # still in the queue


def test_reassigning_a_lead_hands_on_only_what_it_still_owes(tenant, people, member, active_sla):
    active_sla()
    lead, other = hand_off(tenant, people), hand_off(tenant, people)
    first, second = people["sales_rep"], member(tenant, Role.SALES_REP)
    with tenant_scope(tenant):
        leads.lead_accept(lead=lead, actor=as_member(first, Role.SALES_REP))
        leads.lead_assign(lead=lead, owner_email=second.email,
                          actor=as_member(people["manager"], Role.MANAGER))  # fmt: skip
    accept, first_touch = obligations(lead)
    assert (accept.status, accept.owner_id) == ("met", None)  # answered: it stays as it was
    assert (first_touch.status, first_touch.owner_id) == ("pending", second.pk)
    assert [o.owner_id for o in obligations(other)] == [None]


def test_erasing_a_lead_cancels_its_pending_obligations(tenant, people, active_sla):
    active_sla()
    lead = hand_off(tenant, people)
    with tenant_scope(tenant):
        leads.lead_erase(lead=lead, actor=as_member(people["admin"], Role.ADMIN))
    assert [o.status for o in obligations(lead)] == ["cancelled"]
    assert Lead.all_tenants.get(pk=lead.pk).accept_due_at is None  # out of the queue's order


def test_a_late_answer_is_a_breach_recorded_once_with_its_response_time(
    tenant, people, active_sla, clock
):
    active_sla(accept_within_hours=2)
    clock.set(MONDAY)
    lead = hand_off(tenant, people)
    clock.set(MONDAY + timedelta(hours=3))
    with tenant_scope(tenant):
        leads.lead_accept(lead=lead, actor=as_member(people["sales_rep"], Role.SALES_REP))
    accept = obligations(lead, kind="accept")[0]
    assert accept.status == "breached"
    assert accept.response_business_hours == 3.0
    assert accept.met_at == MONDAY + timedelta(hours=3)
    assert Breach.all_tenants.filter(obligation=accept).count() == 1
    assert OutboxEvent.all_tenants.filter(event_type="sla.breached").count() == 1

    from sla.services import sla_sweep

    # A month later only the first touch is left to breach; the accept breach stays single.
    assert sla_sweep(now=MONDAY + timedelta(days=30)).breached == 1
    assert Breach.all_tenants.filter(obligation=accept).count() == 1
    assert list(Breach.all_tenants.values_list("kind", flat=True).order_by("id")) == [
        "accept", "first_touch",
    ]  # fmt: skip


def test_an_answer_after_the_sweep_breached_records_the_response_time(
    tenant, people, active_sla, clock
):
    from sla.services import sla_sweep

    active_sla(accept_within_hours=2)
    clock.set(MONDAY)
    lead = hand_off(tenant, people)
    assert sla_sweep(now=MONDAY + timedelta(hours=2, minutes=1)).breached == 1
    clock.set(MONDAY + timedelta(hours=5))
    with tenant_scope(tenant):
        leads.lead_accept(lead=lead, actor=as_member(people["sales_rep"], Role.SALES_REP))
    accept = obligations(lead, kind="accept")[0]
    assert (accept.status, accept.response_business_hours) == ("breached", 5.0)
    assert Breach.all_tenants.count() == 1
    assert OutboxEvent.all_tenants.filter(event_type="sla.breached").count() == 1


def test_an_obligation_keeps_the_terms_it_was_opened_under(tenant, people, active_sla, clock):
    old = active_sla(accept_within_hours=4)
    clock.set(MONDAY)
    first = hand_off(tenant, people)
    with tenant_scope(tenant):
        from sla.models import SlaVersion

        SlaVersion.objects.filter(pk=old.pk).update(status=SlaStatus.RETIRED)
    new = SlaVersionFactory(tenant=tenant, active=True, accept_within_hours=1)
    second = hand_off(tenant, people)
    [kept] = obligations(first)
    [fresh] = obligations(second)
    assert (kept.version_id, kept.due_at) == (old.pk, MONDAY + timedelta(hours=4))
    assert (fresh.version_id, fresh.due_at) == (new.pk, MONDAY + timedelta(hours=1))


def test_assigning_the_sql_makes_the_new_owner_answerable(tenant, people, active_sla):
    active_sla()
    lead = hand_off(tenant, people)
    rep = people["sales_rep"]
    with tenant_scope(tenant):
        leads.lead_assign(lead=lead, owner_email=rep.email,
                          actor=as_member(people["manager"], Role.MANAGER))  # fmt: skip
    assert obligations(lead)[0].owner_id == rep.pk


def test_opening_twice_keeps_one_pending_obligation_per_kind(tenant, people, active_sla):
    from sla.services import obligations_open

    active_sla()
    lead = hand_off(tenant, people)
    with tenant_scope(tenant):
        obligations_open(leads=[lead], kind="accept", now=timezone.now())
    assert len(obligations(lead, status="pending")) == 1


# --- the API ----------------------------------------------------------------------------------


def test_the_obligation_list_filters_by_status_kind_owner_and_lead(tenant, api_client_for, member):
    rep = member(tenant, Role.SALES_REP)
    mine = ObligationFactory(tenant=tenant, owner=rep)
    ObligationFactory(tenant=tenant, status="met", met_at=timezone.now())
    other_kind = ObligationFactory(tenant=tenant, kind="first_touch")
    client = api_client_for(tenant, Role.SALES_REP, user=rep)

    def ids(query: str) -> set[int]:
        response = client.get(f"/api/v1/sla/obligations/?{query}")
        assert response.status_code == 200, response.json()
        return {row["id"] for row in response.json()["results"]}

    assert ids("status=pending") == {mine.pk, other_kind.pk}
    assert ids("kind=first_touch") == {other_kind.pk}
    assert ids(f"owner={rep.pk}") == ids("owner=me") == ids(f"owner={rep.email}") == {mine.pk}
    assert ids(f"lead={mine.lead_id}") == {mine.pk}
    row = client.get(f"/api/v1/sla/obligations/{mine.pk}/").json()
    assert set(row) >= {"id", "lead", "kind", "status", "opened_at", "due_at", "met_at",
                        "breached_at", "response_business_hours", "owner"}  # fmt: skip
    assert row["owner"] == {"id": rep.pk, "email": rep.email}
    assert datetime.fromisoformat(row["due_at"]) == mine.due_at


def test_the_obligation_list_costs_the_same_queries_for_any_page_size(
    tenant, api_client_for, member
):
    client = api_client_for(tenant, Role.MANAGER)
    ObligationFactory(tenant=tenant, owner=member(tenant, Role.SALES_REP))
    client.get("/api/v1/sla/obligations/")  # the key's first use is recorded once
    with CaptureQueriesContext(connection) as few:
        assert len(client.get("/api/v1/sla/obligations/").json()["results"]) == 1
    for _ in range(6):
        ObligationFactory(tenant=tenant, owner=member(tenant, Role.SALES_REP))
    with CaptureQueriesContext(connection) as many:
        assert len(client.get("/api/v1/sla/obligations/").json()["results"]) == 7
    assert len(many) == len(few)


def test_response_times_are_kept_to_the_ten_thousandth_of_an_hour(tenant, active_sla):
    active_sla()
    obligation = ObligationFactory(tenant=tenant, opened_at=MONDAY)
    with tenant_scope(tenant):
        services.obligations_respond(
            kind="accept", answered_at={obligation.lead_id: MONDAY + timedelta(seconds=3601)}
        )
    obligation.refresh_from_db()
    assert (obligation.status, obligation.response_business_hours) == ("met", 1.0003)
