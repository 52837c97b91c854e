"""Scores crossing the SLA's thresholds move leads to MQL and SQL automatically (lead.scored)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from leads.models import Lead, Stage, StageTransition
from sla.models import Obligation
from sla.services import leads_qualify_by_score
from smarketing import events
from smarketing.events import publish_many
from smarketing.events.models import OutboxEvent
from smarketing.tenancy.scope import tenant_scope
from tests.leads.factories import LeadFactory

pytestmark = pytest.mark.django_db


def scored(tenant, lead: Lead, score: int, previous: int) -> Lead:
    """Publish `lead.scored` as the scoring service does, with the lead's new score."""
    Lead.all_tenants.filter(pk=lead.pk).update(score=score)
    lead.score = score
    with tenant_scope(tenant):
        item = {"lead_id": lead.pk, "score": score, "previous_score": previous}
        publish_many("lead.scored", tenant=tenant.pk, leads=[lead], items=[item])
    return Lead.all_tenants.get(pk=lead.pk)


def moves(lead):
    return list(
        StageTransition.all_tenants.filter(lead=lead).order_by("at", "id")
        .values_list("from_stage", "to_stage", "actor_label")
    )  # fmt: skip


def test_a_lead_reaching_the_mql_threshold_becomes_an_mql(tenant, active_sla):
    active_sla(mql_threshold=40, sql_threshold=70)
    lead = scored(tenant, LeadFactory(tenant=tenant, score=30), 45, previous=30)
    assert lead.stage == Stage.MQL
    assert moves(lead) == [("lead", "mql", "system")]


def test_an_mql_reaching_the_sql_threshold_is_handed_off_and_owed_an_answer(tenant, active_sla):
    active_sla(mql_threshold=40, sql_threshold=70)
    lead = scored(tenant, LeadFactory(tenant=tenant, stage=Stage.MQL, score=50), 75, previous=50)
    assert lead.stage == Stage.SQL
    assert Obligation.all_tenants.get(lead=lead).kind == "accept"


def test_a_leap_across_both_thresholds_goes_all_the_way_to_sql(tenant, active_sla):
    active_sla(mql_threshold=40, sql_threshold=70)
    lead = scored(tenant, LeadFactory(tenant=tenant, stage=Stage.RECYCLED), 90, previous=10)
    assert lead.stage == Stage.SQL
    assert moves(lead) == [("recycled", "mql", "system"), ("mql", "sql", "system")]


def test_only_crossing_a_threshold_moves_a_lead(tenant, active_sla):
    active_sla(mql_threshold=40, sql_threshold=70)
    # Sent back by sales with a high score: a re-score that stays high does not bounce it back.
    recycled = scored(tenant, LeadFactory(tenant=tenant, stage=Stage.RECYCLED), 80, previous=78)
    below = scored(tenant, LeadFactory(tenant=tenant), 39, previous=10)
    assert (recycled.stage, below.stage) == (Stage.RECYCLED, Stage.LEAD)


def test_thresholds_left_empty_mean_by_hand_only(tenant, active_sla):
    active_sla(mql_threshold=None, sql_threshold=None)
    assert scored(tenant, LeadFactory(tenant=tenant), 99, previous=0).stage == Stage.LEAD


def test_a_draft_sla_moves_nothing(tenant):
    # The tenant's default draft is no agreement yet.
    assert scored(tenant, LeadFactory(tenant=tenant), 99, previous=0).stage == Stage.LEAD


def test_a_second_racing_attempt_loses_quietly_and_moves_once(tenant, active_sla):
    active_sla(mql_threshold=40)
    lead = LeadFactory(tenant=tenant, score=10)
    stale = Lead.all_tenants.get(pk=lead.pk)  # another worker's copy, read before the move
    scored(tenant, lead, 50, previous=10)
    with tenant_scope(tenant):
        publish_many("lead.scored", tenant=tenant.pk, leads=[stale],
                     items=[{"lead_id": lead.pk, "score": 50, "previous_score": 10}])  # fmt: skip
    assert Lead.all_tenants.get(pk=lead.pk).stage == Stage.MQL
    assert len(moves(lead)) == 1


def test_a_batch_crossing_the_thresholds_moves_together_and_each_handler_runs_once(
    tenant, active_sla, monkeypatch
):
    active_sla(mql_threshold=40, sql_threshold=70)
    calls = []

    def counted(handler):
        def counting(*, items, **context):
            calls.append(len(items))
            return handler(items=items, **context)

        return counting

    handlers = events.handlers_for("lead.stage_changed")
    monkeypatch.setitem(events._handlers, "lead.stage_changed", [counted(h) for h in handlers])
    leads = [LeadFactory(tenant=tenant, score=10) for _ in range(6)]
    stale = LeadFactory(tenant=tenant, score=10)
    Lead.all_tenants.filter(pk=stale.pk).update(stage=Stage.DISQUALIFIED)  # moved meanwhile
    items = [
        {"lead_id": lead.pk, "score": 90 if i % 2 else 50, "previous_score": 10}
        for i, lead in enumerate([*leads, stale])
    ]
    Lead.all_tenants.filter(pk__in=[lead.pk for lead in leads]).update(score=90)
    with tenant_scope(tenant):
        publish_many("lead.scored", tenant=tenant.pk, leads=[*leads, stale], items=items)
    stages = dict(Lead.all_tenants.values_list("pk", "stage"))
    assert [stages[lead.pk] for lead in leads] == ["mql", "sql"] * 3
    assert stages[stale.pk] == Stage.DISQUALIFIED and not moves(stale)
    assert moves(leads[1]) == [("lead", "mql", "system"), ("mql", "sql", "system")]
    # Two batches (to MQL, then on to SQL), each seen once by every handler.
    assert sorted(calls) == sorted([6] * len(handlers) + [3] * len(handlers))
    assert Obligation.all_tenants.filter(kind="accept").count() == 3
    changed = OutboxEvent.all_tenants.filter(event_type="lead.stage_changed")
    assert changed.count() == 9


def test_a_score_landing_exactly_on_the_threshold_crosses_it(tenant, active_sla):
    active_sla(mql_threshold=40)
    assert scored(tenant, LeadFactory(tenant=tenant), 40, previous=39).stage == Stage.MQL


def test_a_lead_already_at_the_threshold_does_not_cross_it_again(tenant, active_sla):
    active_sla(mql_threshold=40)
    recycled = scored(tenant, LeadFactory(tenant=tenant, stage=Stage.RECYCLED), 45, previous=40)
    assert recycled.stage == Stage.RECYCLED


def test_a_first_score_crosses_from_zero(tenant, active_sla):
    active_sla(mql_threshold=1)
    lead = LeadFactory(tenant=tenant)
    Lead.all_tenants.filter(pk=lead.pk).update(score=5)
    with tenant_scope(tenant):
        publish_many("lead.scored", tenant=tenant.pk, leads=[lead],
                     items=[{"lead_id": lead.pk, "score": 5, "previous_score": None}])  # fmt: skip
    assert Lead.all_tenants.get(pk=lead.pk).stage == Stage.MQL


def test_an_sql_threshold_alone_still_hands_mqls_off(tenant, active_sla):
    active_sla(mql_threshold=None, sql_threshold=70)
    lead = scored(tenant, LeadFactory(tenant=tenant, stage=Stage.MQL), 75, previous=50)
    assert lead.stage == Stage.SQL


def test_an_erased_lead_is_not_moved_by_its_score(tenant, active_sla):
    active_sla(mql_threshold=40)
    erased = LeadFactory(tenant=tenant, erased_at=timezone.now())
    assert scored(tenant, erased, 45, previous=30).stage == Stage.LEAD


def test_the_service_counts_the_leads_it_moved_to_each_stage(tenant, active_sla):
    active_sla(mql_threshold=40, sql_threshold=70)
    mql = LeadFactory(tenant=tenant, stage=Stage.MQL, score=75)
    new = LeadFactory(tenant=tenant, score=45)
    with tenant_scope(tenant):
        handed_off = leads_qualify_by_score(
            items=[{"lead_id": mql.pk, "score": 75, "previous_score": 50}]
        )
        qualified = leads_qualify_by_score(
            items=[{"lead_id": new.pk, "score": 45, "previous_score": 30}]
        )
    assert (handed_off, qualified) == ({"mql": 0, "sql": 1}, {"mql": 1, "sql": 0})


def test_a_rescore_reads_only_the_leads_that_crossed(tenant, active_sla):
    active_sla(mql_threshold=40)
    crossing, staying = LeadFactory(tenant=tenant, score=45), LeadFactory(tenant=tenant, score=20)
    items = [{"lead_id": crossing.pk, "score": 45, "previous_score": 30},
             {"lead_id": staying.pk, "score": 20, "previous_score": 10}]  # fmt: skip
    with tenant_scope(tenant), CaptureQueriesContext(connection) as queries:
        assert leads_qualify_by_score(items=items) == {"mql": 1, "sql": 0}
    lead_reads = [q["sql"] for q in queries if q["sql"].startswith('SELECT "leads_lead"')]
    assert lead_reads, "the crossing lead was never read"
    assert all('"leads_lead"."id" IN (' in sql for sql in lead_reads), lead_reads


def test_crossing_only_the_sql_threshold_leaves_a_lead_that_is_no_mql(tenant, active_sla):
    active_sla(mql_threshold=40, sql_threshold=70)
    # Sent back to `lead` by a marketer while above the MQL threshold: it crosses only SQL's.
    lead = scored(tenant, LeadFactory(tenant=tenant, stage=Stage.LEAD), 75, previous=50)
    assert (lead.stage, moves(lead)) == (Stage.LEAD, [])
