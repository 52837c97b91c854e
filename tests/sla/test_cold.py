"""Cold leads: flagged once after the SLA's quiet days, warmed by activity, recycled if asked."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from leads import services as leads
from leads.errors import IllegalTransition
from leads.models import Lead, RejectionReason, Stage, StageTransition
from sla.services import cold, cold_leads_sweep, leads_warm_up
from smarketing.events.models import OutboxEvent
from smarketing.tenancy.actors import Actor
from smarketing.tenancy.roles import Role
from smarketing.tenancy.scope import tenant_scope
from tests.leads.factories import LeadFactory
from tests.sla.factories import SlaVersionFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2027, 3, 22, 12, 0, tzinfo=UTC)


def quiet_lead(tenant, stage: str, days: float, **fields) -> Lead:
    return LeadFactory(tenant=tenant, stage=stage, stage_changed_at=NOW - timedelta(days=days),
                       **fields)  # fmt: skip


def cold_events():
    return list(OutboxEvent.all_tenants.filter(event_type="lead.cold"))


def test_leads_quiet_for_their_stages_days_go_cold_once(tenant, active_sla, api_client_for):
    active_sla(cold_after_days={"mql": 14, "sql": 3})
    cold_mql = quiet_lead(tenant, Stage.MQL, 15)
    warm_mql = quiet_lead(tenant, Stage.MQL, 13)
    cold_sql = quiet_lead(tenant, Stage.SQL, 3.5)
    unlisted = quiet_lead(tenant, Stage.LEAD, 400)  # no cold_after_days for `lead`

    counts = cold_leads_sweep(now=NOW, batch_size=1)
    assert (counts.cold, counts.recycled) == (2, 0)
    assert cold_leads_sweep(now=NOW + timedelta(hours=1)).cold == 0
    flags = dict(Lead.all_tenants.values_list("pk", "is_cold"))
    assert flags == {cold_mql.pk: True, warm_mql.pk: False, cold_sql.pk: True,
                     unlisted.pk: False}  # fmt: skip
    assert Lead.all_tenants.get(pk=cold_sql.pk).cold_since == NOW
    assert sorted(e.data["id"] for e in cold_events()) == sorted([cold_mql.pk, cold_sql.pk])
    assert all(e.data["cold_after_days"] in (3, 14) for e in cold_events())
    listed = api_client_for(tenant, "marketer").get("/api/v1/leads/?is_cold=true").json()
    assert sorted(lead["id"] for lead in listed["results"]) == sorted([cold_mql.pk, cold_sql.pk])


def test_recent_activity_or_a_recent_hand_off_keeps_a_lead_warm(tenant, active_sla):
    active_sla(cold_after_days={"sql": 3})
    active = quiet_lead(tenant, Stage.SQL, 10, last_activity_at=NOW - timedelta(days=1))
    # Engaged long ago, handed off yesterday: the hand-off is its last sign of life.
    handed_off = quiet_lead(tenant, Stage.SQL, 1, last_activity_at=NOW - timedelta(days=30))
    assert cold_leads_sweep(now=NOW).cold == 0
    assert not Lead.all_tenants.filter(pk__in=[active.pk, handed_off.pk], is_cold=True).exists()


def test_new_activity_warms_a_cold_lead_up(tenant, active_sla):
    active_sla(cold_after_days={"mql": 14})
    lead = quiet_lead(tenant, Stage.MQL, 20)
    cold_leads_sweep(now=NOW)
    assert Lead.all_tenants.get(pk=lead.pk).is_cold
    with tenant_scope(tenant):
        [result] = leads.lead_events_record(tenant=tenant, actor=Actor.system(), items=[
            {"lead_id": lead.pk, "type": "email_click", "occurred_at": timezone.now()}
        ])  # fmt: skip
    assert result.status == "recorded"
    lead.refresh_from_db()
    assert (lead.is_cold, lead.cold_since) == (False, None)


def test_cold_sqls_go_back_to_marketing_when_the_sla_says_so(tenant, active_sla):
    active_sla(cold_after_days={"sql": 3, "opportunity": 30}, auto_recycle_cold=True)
    sql = quiet_lead(tenant, Stage.SQL, 5)
    opportunity = quiet_lead(tenant, Stage.OPPORTUNITY, 31)  # no move to recycled: flag only
    counts = cold_leads_sweep(now=NOW)
    assert (counts.cold, counts.recycled) == (2, 1)
    sql.refresh_from_db()
    opportunity.refresh_from_db()
    assert (sql.stage, sql.is_cold, sql.owner_id) == (Stage.RECYCLED, True, None)
    assert (opportunity.stage, opportunity.is_cold) == (Stage.OPPORTUNITY, True)
    move = StageTransition.all_tenants.get(lead=sql, to_stage=Stage.RECYCLED)
    assert (move.reason_code, move.actor_label) == ("went_cold", "system")


def test_a_recycled_cold_sql_cancels_what_sales_still_owed(tenant, people, active_sla):
    from sla.models import Obligation

    active_sla(cold_after_days={"sql": 3}, auto_recycle_cold=True, accept_within_hours=1000)
    lead = LeadFactory(tenant=tenant, stage=Stage.MQL)
    with tenant_scope(tenant):
        leads.lead_transition(lead=lead, to=Stage.SQL, actor=Actor.system())
    Lead.all_tenants.filter(pk=lead.pk).update(stage_changed_at=NOW - timedelta(days=4))
    cold_leads_sweep(now=NOW)
    [accept] = Obligation.all_tenants.filter(lead=lead)
    assert accept.status == "cancelled"  # the system recycled it: not an answer from sales


def test_without_an_active_sla_nothing_goes_cold(tenant):
    quiet_lead(tenant, Stage.MQL, 400)
    assert cold_leads_sweep(now=NOW).cold == 0


def test_erased_leads_never_go_cold(tenant, active_sla):
    active_sla(cold_after_days={"mql": 1})
    quiet_lead(tenant, Stage.MQL, 5, erased_at=NOW - timedelta(days=2))
    assert cold_leads_sweep(now=NOW).cold == 0


def test_a_lead_merged_into_another_never_goes_cold(tenant, active_sla):
    active_sla(cold_after_days={"mql": 14})
    survivor = quiet_lead(tenant, Stage.MQL, 1)
    quiet_lead(tenant, Stage.MQL, 400, merged_into=survivor)
    assert cold_leads_sweep(now=NOW).cold == 0


def test_the_cold_event_says_since_when_and_the_last_signs_of_life(tenant, member, active_sla):
    active_sla(cold_after_days={"mql": 14})
    rep = member(tenant, Role.MARKETER)
    lead = quiet_lead(tenant, Stage.MQL, 20, owner=rep, last_activity_at=NOW - timedelta(days=30))
    cold_leads_sweep(now=NOW)
    [event] = cold_events()
    assert event.data["owner"] == {"id": rep.pk, "email": rep.email}
    assert datetime.fromisoformat(event.data["cold_since"]) == NOW
    assert event.data["cold_after_days"] == 14
    assert datetime.fromisoformat(event.data["last_activity_at"]) == lead.last_activity_at
    assert datetime.fromisoformat(event.data["stage_changed_at"]) == lead.stage_changed_at


def test_the_sweep_costs_the_same_queries_for_one_cold_lead_or_many(tenant, member, active_sla):
    active_sla(cold_after_days={"mql": 14})
    owners = [member(tenant, Role.MARKETER) for _ in range(4)]
    quiet_lead(tenant, Stage.MQL, 20, owner=owners[0])
    with CaptureQueriesContext(connection) as one:
        assert cold_leads_sweep(now=NOW).cold == 1
    for owner in owners:
        quiet_lead(tenant, Stage.MQL, 20, owner=owner)
    with CaptureQueriesContext(connection) as four:
        assert cold_leads_sweep(now=NOW).cold == 4
    assert len(four) == len(one)


def test_the_sweep_takes_a_stage_in_batches_and_keeps_the_batches_done(
    tenant, active_sla, monkeypatch
):
    active_sla(cold_after_days={"mql": 14})
    for _ in range(5):
        quiet_lead(tenant, Stage.MQL, 20)
    assert cold_leads_sweep(now=NOW, batch_size=2).cold == 5  # 2 + 2 + 1
    Lead.all_tenants.update(is_cold=False, cold_since=None)

    published = []

    def fail_the_second_batch(event_type, **kwargs):
        published.append(len(kwargs["items"]))
        if len(published) == 2:
            raise RuntimeError("the worker died")

    monkeypatch.setattr(cold, "publish_many", fail_the_second_batch)
    with pytest.raises(RuntimeError):
        cold_leads_sweep(now=NOW, batch_size=2)
    assert published == [2, 2]
    assert Lead.all_tenants.filter(is_cold=True).count() == 2  # the first batch committed


def test_the_sweep_of_one_tenant_leaves_the_others_alone(tenant, other_tenant, active_sla):
    active_sla(cold_after_days={"mql": 14})
    SlaVersionFactory(tenant=other_tenant, active=True, cold_after_days={"mql": 14})
    mine = quiet_lead(tenant, Stage.MQL, 20)
    theirs = quiet_lead(other_tenant, Stage.MQL, 20)
    assert cold_leads_sweep(now=NOW, tenant_id=other_tenant.pk).cold == 1
    assert dict(Lead.all_tenants.values_list("pk", "is_cold")) == {mine.pk: False,
                                                                    theirs.pk: True}  # fmt: skip


def test_recycled_cold_sqls_are_counted_and_say_why_in_their_history(tenant, active_sla):
    active_sla(cold_after_days={"sql": 3}, auto_recycle_cold=True)
    sqls = [quiet_lead(tenant, Stage.SQL, 5) for _ in range(3)]
    counts = cold_leads_sweep(now=NOW, batch_size=2)
    assert (counts.cold, counts.recycled) == (3, 3)
    notes = StageTransition.all_tenants.filter(lead__in=sqls, to_stage=Stage.RECYCLED)
    assert list(notes.values_list("note", flat=True)) == ["No activity for 3 days."] * 3
    # The reason recycles record, listed after the tenant's own reasons.
    reason = RejectionReason.all_tenants.get(tenant=tenant, code="went_cold")
    assert (reason.label, reason.position) == ("Went cold (no activity)", 99)


def test_a_cold_sql_whose_move_is_refused_stays_flagged_and_the_rest_are_recycled(
    tenant, active_sla, monkeypatch
):
    active_sla(cold_after_days={"sql": 3}, auto_recycle_cold=True)
    refused, moved = quiet_lead(tenant, Stage.SQL, 5), quiet_lead(tenant, Stage.SQL, 5)
    real_transition = cold.lead_transition

    def transition(*, lead, **kwargs):
        if lead.pk == refused.pk:
            raise IllegalTransition("The lead moved meanwhile.")
        return real_transition(lead=lead, **kwargs)

    monkeypatch.setattr(cold, "lead_transition", transition)
    counts = cold_leads_sweep(now=NOW)
    assert (counts.cold, counts.recycled) == (2, 1)
    stages = dict(Lead.all_tenants.values_list("pk", "stage"))
    assert stages == {refused.pk: Stage.SQL, moved.pk: Stage.RECYCLED}
    assert Lead.all_tenants.get(pk=refused.pk).is_cold


def test_warming_up_touches_only_the_cold_leads_named(tenant):
    named_cold, named_warm, other_cold = (
        quiet_lead(tenant, Stage.MQL, 20, is_cold=cold, cold_since=NOW if cold else None)
        for cold in (True, False, True)
    )
    with tenant_scope(tenant):
        assert leads_warm_up(lead_ids=[named_cold.pk, named_warm.pk]) == 1
    flags = dict(Lead.all_tenants.values_list("pk", "is_cold"))
    assert flags == {named_cold.pk: False, named_warm.pk: False, other_cold.pk: True}
