"""Stage moves, accepting, rejecting and assigning, at the service: the error and message a
caller gets for each refusal, and exactly what a move writes and announces."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from leads.errors import (
    AlreadyAccepted,
    IllegalTransition,
    InvalidLeadData,
    LeadDataConflict,
    NotAllowed,
    StaleStage,
)
from leads.models import Lead, RejectionReason, Stage, StageTransition
from leads.services import (
    lead_accept,
    lead_assign,
    lead_reject,
    lead_transition,
    leads_transition,
)
from smarketing.tenancy.actors import Actor
from smarketing.tenancy.audit_models import AuditEntry
from smarketing.tenancy.roles import Role
from smarketing.tenancy.scope import tenant_scope
from tests.leads.factories import LeadFactory, RejectionReasonFactory
from tests.leads.helpers import heard

pytestmark = pytest.mark.django_db

NOW = datetime(2027, 3, 22, 10, 0, tzinfo=UTC)
EARLIER = NOW - timedelta(days=2)
ACCEPTED = EARLIER + timedelta(hours=1)


@pytest.fixture(autouse=True)
def now(clock):
    clock.set(NOW)


@pytest.fixture
def people(tenant, member):
    """Actors by role name; `rep` and `other_rep` are two sales reps."""

    def actor(role):
        return Actor.member(member(tenant, role, email=f"{role}-{role_count()}@x.com"), role)

    counter = iter(range(100))

    def role_count():
        return next(counter)

    return {
        "marketer": actor(Role.MARKETER),
        "rep": actor(Role.SALES_REP),
        "other_rep": actor(Role.SALES_REP),
        "manager": actor(Role.MANAGER),
    }


def sql(tenant, owner=None, accepted=False, **fields):
    """An SQL handed off (and last changed) two days ago."""
    lead = LeadFactory(tenant=tenant, stage=Stage.SQL, stage_changed_at=EARLIER, owner=owner,
                       accepted_at=ACCEPTED if accepted else None, **fields)  # fmt: skip
    Lead.all_tenants.filter(pk=lead.pk).update(updated_at=EARLIER)
    return lead


def raises(tenant, kind, call, **kwargs):
    with tenant_scope(tenant), pytest.raises(kind) as refused:
        call(**kwargs)
    return refused.value


def stored(lead):
    return Lead.all_tenants.get(pk=lead.pk)


# --- moves ---------------------------------------------------------------------------------


def test_a_move_to_no_stage_lists_the_stages(tenant, people):
    lead = LeadFactory(tenant=tenant)
    refused = raises(tenant, InvalidLeadData, lead_transition, lead=lead, to="limbo",
                     actor=people["marketer"])  # fmt: skip
    assert refused.errors == {
        "to": ["Unknown stage 'limbo'; use one of lead, mql, sql, opportunity, won, lost, "
               "recycled, disqualified."]
    }  # fmt: skip


def test_an_sql_not_accepted_yet_cannot_become_an_opportunity(tenant, people):
    lead = sql(tenant)
    refused = raises(tenant, IllegalTransition, lead_transition, lead=lead, to="opportunity",
                     actor=people["manager"])  # fmt: skip
    assert refused.detail == "This SQL is not accepted yet, so it cannot move to opportunity."


def test_an_unknown_rejection_reason_lists_the_active_ones(tenant, people):
    RejectionReason.all_tenants.filter(tenant=tenant).update(is_active=False)
    RejectionReasonFactory(tenant=tenant, code="too_small", label="A", position=1)
    RejectionReasonFactory(tenant=tenant, code="no_need", label="B", position=2)
    lead = sql(tenant)
    refused = raises(tenant, LeadDataConflict, lead_reject, lead=lead, actor=people["rep"],
                     reason_code="no_budget")  # fmt: skip
    assert refused.errors == {
        "reason_code": ["Unknown rejection reason; use one of: too_small, no_need."]
    }
    assert stored(lead).stage == Stage.SQL


def test_a_won_deal_needs_an_amount_that_is_not_negative_but_may_be_zero(tenant, people):
    rep = people["rep"]
    deal = LeadFactory(tenant=tenant, stage=Stage.OPPORTUNITY, owner=rep.user)
    missing = raises(tenant, InvalidLeadData, lead_transition, lead=deal, to="won", actor=rep)
    assert missing.errors == {"amount": ["A won deal needs its amount."]}
    negative = raises(tenant, InvalidLeadData, lead_transition, lead=deal, to="won", actor=rep,
                      amount=Decimal("-0.01"))  # fmt: skip
    assert negative.errors == {"amount": ["The amount cannot be negative."]}
    with tenant_scope(tenant):
        lead_transition(lead=deal, to="won", actor=rep, amount=Decimal("0"))
    assert StageTransition.all_tenants.get(lead=deal).amount == 0


def test_a_move_records_when_the_step_it_ends_began(tenant, people):
    rep = people["rep"]
    accepted = sql(tenant, owner=rep.user, accepted=True)
    fresh = LeadFactory(tenant=tenant, stage_changed_at=EARLIER)
    with tenant_scope(tenant):
        lead_transition(lead=accepted, to="opportunity", actor=rep, note="Demo booked")
        lead_transition(lead=fresh, to="mql", actor=people["marketer"])
    opportunity = StageTransition.all_tenants.get(lead=accepted)
    # An accepted SQL has been in sales' hands since acceptance, not since the hand-off.
    assert (opportunity.step_started_at, opportunity.at) == (accepted.accepted_at, NOW)
    assert (opportunity.action, opportunity.note, opportunity.reason_code) == (
        "move", "Demo booked", "")  # fmt: skip
    assert StageTransition.all_tenants.get(lead=fresh).step_started_at == EARLIER
    assert (stored(fresh).stage_changed_at, stored(fresh).updated_at) == (NOW, NOW)


def test_a_move_announces_where_from_where_to_who_and_when(tenant, people, monkeypatch):
    announced = heard(monkeypatch, "lead.stage_changed")
    lead = LeadFactory(tenant=tenant)
    with tenant_scope(tenant):
        lead_transition(lead=lead, to="mql", actor=people["marketer"])
        lead_transition(lead=lead, to="disqualified", actor=people["marketer"], reason_code="spam")
    assert [(a["id"], a["from"], a["to"], a["reason_code"], a["actor"], a["at"], a["stage"])
            for a in announced] == [
        (lead.pk, "lead", "mql", "", people["marketer"].label, NOW, "mql"),
        (lead.pk, "mql", "disqualified", "spam", people["marketer"].label, NOW, "disqualified"),
    ]  # fmt: skip
    assert [(a["context"]["lead"], a["context"]["actor"]) for a in announced] == [
        (lead, people["marketer"]), (lead, people["marketer"]),
    ]  # fmt: skip
    assert [t.note for t in StageTransition.all_tenants.filter(lead=lead)] == ["", ""]


def test_a_move_against_an_sql_accepted_meanwhile_says_who_accepted(tenant, people):
    seen_unaccepted = sql(tenant)
    with tenant_scope(tenant):
        lead_accept(lead=Lead.objects.get(pk=seen_unaccepted.pk), actor=people["rep"])
    refused = raises(tenant, AlreadyAccepted, lead_transition, lead=seen_unaccepted,
                     to="recycled", actor=people["other_rep"], reason_code="no_budget")  # fmt: skip
    assert refused.detail == f"{people['rep'].label} accepted this lead already."


# --- rejections ----------------------------------------------------------------------------


def test_only_an_sql_is_rejected(tenant, people):
    lead = LeadFactory(tenant=tenant, stage=Stage.MQL)
    refused = raises(tenant, IllegalTransition, lead_reject, lead=lead, actor=people["rep"],
                     reason_code="no_budget")  # fmt: skip
    assert refused.detail == "Only an SQL can be rejected; this lead is mql."


def test_a_rep_cannot_reject_an_sql_another_rep_accepted_but_a_manager_can(tenant, people):
    lead = sql(tenant, owner=people["rep"].user, accepted=True)
    refused = raises(tenant, AlreadyAccepted, lead_reject, lead=lead, actor=people["other_rep"],
                     reason_code="no_budget")  # fmt: skip
    assert refused.extra["accepted_by"] == {"id": people["rep"].user.pk,
                                            "email": people["rep"].label}  # fmt: skip
    with tenant_scope(tenant):
        lead_reject(lead=lead, actor=people["manager"], reason_code="no_budget")
    assert (stored(lead).stage, stored(lead).owner, stored(lead).accepted_at) == (
        "recycled", None, None)  # fmt: skip


def test_the_owner_rejects_their_sql_and_marketing_hears_why(tenant, people, monkeypatch):
    rejected = heard(monkeypatch, "lead.rejected")
    rep = people["rep"]
    lead = sql(tenant, owner=rep.user, accepted=True)
    with tenant_scope(tenant):
        lead_reject(lead=lead, actor=rep, reason_code="no_budget", note="Frozen until Q3")
    [told] = rejected
    label = RejectionReason.all_tenants.get(tenant=tenant, code="no_budget").label
    assert (told["id"], told["reason_code"], told["reason"], told["note"], told["by"],
            told["at"], told["stage"]) == (
        lead.pk, "no_budget", label, "Frozen until Q3", rep.label, NOW, "recycled")  # fmt: skip
    assert "notify" in told
    rejection = StageTransition.all_tenants.get(lead=lead)
    assert (rejection.action, rejection.reason_code, rejection.step_started_at) == (
        "reject", "no_budget", ACCEPTED)  # fmt: skip


def test_a_disqualification_with_a_reason_is_no_rejection_marketing_hears_of(
    tenant, people, monkeypatch
):
    rejected = heard(monkeypatch, "lead.rejected")
    lead = LeadFactory(tenant=tenant, stage=Stage.MQL)
    with tenant_scope(tenant):
        lead_transition(lead=lead, to="disqualified", actor=people["marketer"], reason_code="spam")
    assert rejected == []
    assert StageTransition.all_tenants.get(lead=lead).action == "move"


def test_an_sql_sent_back_because_it_went_cold_is_no_rejection_marketing_hears_of(
    tenant, people, monkeypatch
):
    rejected = heard(monkeypatch, "lead.rejected")
    RejectionReasonFactory(tenant=tenant, code="went_cold", label="Went cold (no activity)")
    lead = sql(tenant, owner=people["rep"].user, accepted=True)
    with tenant_scope(tenant):
        lead_transition(lead=lead, to="recycled", actor=Actor.system(), reason_code="went_cold")
    assert rejected == []
    went_cold = StageTransition.all_tenants.get(lead=lead)
    assert (went_cold.action, went_cold.reason_code) == ("reject", "went_cold")


# --- batches -------------------------------------------------------------------------------


def test_a_batch_skips_the_leads_it_may_not_move_and_moves_the_rest(tenant, monkeypatch):
    announced = heard(monkeypatch, "lead.stage_changed")
    won = LeadFactory(tenant=tenant, stage=Stage.WON)
    ready = [LeadFactory(tenant=tenant, stage=Stage.MQL, stage_changed_at=EARLIER)
             for _ in range(2)]  # fmt: skip
    moved_meanwhile = LeadFactory(tenant=tenant, stage=Stage.MQL)
    Lead.all_tenants.filter(pk=moved_meanwhile.pk).update(stage=Stage.LEAD)
    with tenant_scope(tenant):
        moved = leads_transition(leads=[won, *ready, moved_meanwhile], to="sql",
                                 actor=Actor.system(), note="Score crossed 80")  # fmt: skip
    assert moved == ready
    assert {stored(lead).stage for lead in ready} == {"sql"}
    assert stored(moved_meanwhile).stage == "lead"
    history = StageTransition.all_tenants.filter(lead__in=ready).order_by("lead_id")
    assert [(t.lead_id, t.action, t.from_stage, t.to_stage, t.actor_label, t.note, t.at,
             t.step_started_at) for t in history] == [
        (lead.pk, "move", "mql", "sql", "system", "Score crossed 80", NOW, EARLIER)
        for lead in ready
    ]  # fmt: skip
    assert [(a["id"], a["from"], a["to"], a["at"]) for a in announced] == [
        (lead.pk, "mql", "sql", NOW) for lead in ready
    ]
    assert [a["context"]["leads"] for a in announced] == [ready, ready]


def test_a_batch_of_one_lead_moves_it_and_a_batch_nobody_may_move_is_empty(tenant, people):
    lead = LeadFactory(tenant=tenant, stage=Stage.MQL)
    with tenant_scope(tenant):
        assert leads_transition(leads=[lead], to="sql", actor=people["marketer"]) == [lead]
        assert leads_transition(leads=[lead], to="won", actor=Actor.system()) == []
    transition = StageTransition.all_tenants.get(lead=lead)
    assert (transition.actor, transition.note) == (people["marketer"].user, "")
    assert (lead.stage, lead.stage_changed_at) == ("sql", NOW)


def test_a_batch_moves_accepted_sqls_and_tells_handlers_who_moved_them(tenant, people, monkeypatch):
    announced = heard(monkeypatch, "lead.stage_changed")
    rep = people["rep"]
    accepted = sql(tenant, owner=rep.user, accepted=True)
    with tenant_scope(tenant):
        assert leads_transition(leads=[accepted], to="opportunity", actor=rep) == [accepted]
    assert stored(accepted).stage == "opportunity"
    assert [(a["id"], a["context"]["actor"]) for a in announced] == [(accepted.pk, rep)]
    assert StageTransition.all_tenants.get(lead=accepted).step_started_at == ACCEPTED


# --- accepting -----------------------------------------------------------------------------


def test_accepting_refuses_other_roles_other_stages_and_accepted_sqls(tenant, people):
    marketer = raises(tenant, NotAllowed, lead_accept, lead=sql(tenant), actor=people["marketer"])
    assert marketer.detail == "Only sales reps (and managers) accept SQLs."
    integration = Actor(user=None, role=Role.SALES_REP, label="key")
    assert raises(tenant, NotAllowed, lead_accept, lead=sql(tenant), actor=integration)
    mql = LeadFactory(tenant=tenant, stage=Stage.MQL)
    stage = raises(tenant, IllegalTransition, lead_accept, lead=mql, actor=people["rep"])
    assert stage.detail == "Only an SQL can be accepted; this lead is mql."
    # Accepted by someone no longer its owner (a deactivated rep's lead).
    orphan = sql(tenant, accepted=True)
    taken = raises(tenant, AlreadyAccepted, lead_accept, lead=orphan, actor=people["rep"])
    assert taken.detail == "another rep accepted this lead already."
    assert taken.extra == {"accepted_by": None, "accepted_at": orphan.accepted_at}


def test_a_rep_cannot_accept_an_sql_routing_gave_to_another_rep(tenant, people):
    lead = sql(tenant, owner=people["other_rep"].user)
    refused = raises(tenant, NotAllowed, lead_accept, lead=lead, actor=people["rep"])
    assert refused.detail == f"This SQL is routed to {people['other_rep'].label}."
    assert stored(lead).accepted_at is None


def test_an_accept_that_lost_a_race_says_what_happened(tenant, people):
    moved = sql(tenant)
    Lead.all_tenants.filter(pk=moved.pk).update(stage=Stage.RECYCLED)
    stale = raises(tenant, StaleStage, lead_accept, lead=moved, actor=people["rep"])
    assert stale.detail == "The lead moved to recycled meanwhile."
    taken = sql(tenant)
    Lead.all_tenants.filter(pk=taken.pk).update(owner=people["other_rep"].user, accepted_at=NOW)
    lost = raises(tenant, AlreadyAccepted, lead_accept, lead=taken, actor=people["rep"])
    assert lost.detail == f"{people['other_rep'].label} accepted this lead already."


def test_accepting_makes_the_rep_the_owner_and_is_recorded_and_announced(
    tenant, people, monkeypatch
):
    announced = heard(monkeypatch, "lead.accepted")
    rep = people["rep"]
    lead = sql(tenant)
    with tenant_scope(tenant):
        returned = lead_accept(lead=lead, actor=rep)
    assert (returned.owner, returned.accepted_at, returned.updated_at) == (rep.user, NOW, NOW)
    row = stored(lead)
    assert (row.owner, row.accepted_at, row.updated_at) == (rep.user, NOW, NOW)
    accept = StageTransition.all_tenants.get(lead=lead)
    assert (accept.action, accept.from_stage, accept.to_stage, accept.actor, accept.at,
            accept.step_started_at) == ("accept", "sql", "sql", rep.user, NOW, EARLIER)  # fmt: skip
    assert (accept.reason_code, accept.note, accept.amount) == ("", "", None)
    assert [(a["id"], a["accepted_at"], a["owner"]) for a in announced] == [
        (lead.pk, NOW, {"id": rep.user.pk, "email": rep.label})
    ]
    assert [(a["context"]["lead"], a["context"]["actor"]) for a in announced] == [(returned, rep)]


def test_an_accept_s_record_and_the_lead_s_acceptance_are_one_instant(tenant, people, monkeypatch):
    ticks = iter(range(1, 1000))
    monkeypatch.setattr(timezone, "now", lambda: NOW + timedelta(microseconds=next(ticks)))
    lead = sql(tenant)
    with tenant_scope(tenant):
        lead_accept(lead=lead, actor=people["rep"])
    assert StageTransition.all_tenants.get(lead=lead).at == stored(lead).accepted_at


# --- assigning -----------------------------------------------------------------------------


def test_only_managers_assign_and_never_a_closed_lead(tenant, people):
    lead = sql(tenant)
    refused = raises(tenant, NotAllowed, lead_assign, lead=lead, actor=people["rep"],
                     owner_email=people["rep"].label)  # fmt: skip
    assert refused.detail == "Only managers and admins assign leads."
    won = LeadFactory(tenant=tenant, stage=Stage.WON)
    closed = raises(tenant, IllegalTransition, lead_assign, lead=won, actor=people["manager"],
                    owner_email=people["rep"].label)  # fmt: skip
    assert closed.detail == "A won lead cannot be reassigned."
    marketer = raises(tenant, LeadDataConflict, lead_assign, lead=lead, actor=people["manager"],
                      owner_email=people["marketer"].label)  # fmt: skip
    assert marketer.errors == {
        "owner": [f"{people['marketer'].label} is not a sales rep or manager here."]
    }


def test_a_manager_s_assignments_are_noted_audited_and_announced(tenant, people, monkeypatch):
    announced = heard(monkeypatch, "lead.assigned")
    manager, rep, other = people["manager"], people["rep"], people["other_rep"]
    lead = sql(tenant)
    with tenant_scope(tenant):
        lead_assign(lead=lead, owner_email=f"  {rep.label.upper()} ", actor=manager)
        lead_assign(lead=lead, owner_email=other.label, actor=manager)
        lead_assign(lead=lead, owner_email=rep.label, actor=manager, note="Speaks German")
    assert (stored(lead).owner, stored(lead).updated_at) == (rep.user, NOW)
    notes = StageTransition.all_tenants.filter(lead=lead, action="assign").order_by("pk")
    assert [(t.note, t.actor, t.from_stage, t.to_stage) for t in notes] == [
        (f"Assigned to {rep.label}", manager.user, "sql", "sql"),
        (f"Assigned to {other.label} (was {rep.label})", manager.user, "sql", "sql"),
        ("Speaks German", manager.user, "sql", "sql"),
    ]
    audit = AuditEntry.all_tenants.filter(action="lead.reassigned").order_by("pk")
    assert [(a.target_type, a.target_id, a.target_label, a.changes, a.actor_id) for a in audit] == [
        ("lead", str(lead.pk), f"lead #{lead.pk}", {"owner": [None, rep.label]}, manager.user.pk),
        ("lead", str(lead.pk), f"lead #{lead.pk}", {"owner": [rep.label, other.label]},
         manager.user.pk),
        ("lead", str(lead.pk), f"lead #{lead.pk}", {"owner": [other.label, rep.label]},
         manager.user.pk),
    ]  # fmt: skip
    assert [(a["owner"]["email"], a["previous_owner"]) for a in announced] == [
        (rep.label, None),
        (other.label, {"id": rep.user.pk, "email": rep.label}),
        (rep.label, {"id": other.user.pk, "email": other.label}),
    ]
    assert {(a["context"]["lead"], a["context"]["actor"]) for a in announced} == {(lead, manager)}


def test_routing_s_own_assignment_is_in_the_history_but_not_the_audit_log(tenant, people):
    lead = sql(tenant)
    with tenant_scope(tenant):
        lead_assign(lead=lead, owner_email=people["rep"].label, actor=Actor.system())
    assert StageTransition.all_tenants.get(lead=lead).actor_label == "system"
    assert not AuditEntry.all_tenants.filter(action="lead.reassigned").exists()


def test_an_assignment_against_an_owner_changed_meanwhile_asks_to_reload(tenant, people):
    lead = sql(tenant)
    Lead.all_tenants.filter(pk=lead.pk).update(owner=people["other_rep"].user)
    refused = raises(tenant, StaleStage, lead_assign, lead=lead, actor=people["manager"],
                     owner_email=people["rep"].label)  # fmt: skip
    assert refused.detail == "The lead changed meanwhile; reload it and try again."
    assert stored(lead).owner == people["other_rep"].user


def test_an_assignment_against_a_lead_moved_meanwhile_says_where_it_went(tenant, people):
    lead = sql(tenant)
    Lead.all_tenants.filter(pk=lead.pk).update(stage=Stage.RECYCLED)
    refused = raises(tenant, StaleStage, lead_assign, lead=lead, actor=people["manager"],
                     owner_email=people["rep"].label)  # fmt: skip
    assert refused.detail == (
        "The lead moved from sql to recycled meanwhile; reload it and try again."
    )
    assert stored(lead).owner is None


def test_a_move_against_a_moved_lead_says_where_it_went(tenant, people):
    lead = LeadFactory(tenant=tenant)
    Lead.all_tenants.filter(pk=lead.pk).update(stage=Stage.MQL)
    refused = raises(tenant, StaleStage, lead_transition, lead=lead, to="mql",
                     actor=people["marketer"])  # fmt: skip
    assert refused.detail == "The lead moved from lead to mql meanwhile; reload it and try again."


def test_a_move_s_record_and_the_lead_s_stage_time_are_one_instant(tenant, people, monkeypatch):
    ticks = iter(range(1, 1000))
    monkeypatch.setattr(timezone, "now", lambda: NOW + timedelta(microseconds=next(ticks)))
    lead = LeadFactory(tenant=tenant)
    with tenant_scope(tenant):
        lead_transition(lead=lead, to="mql", actor=people["marketer"])
    assert StageTransition.all_tenants.get(lead=lead).at == stored(lead).stage_changed_at
