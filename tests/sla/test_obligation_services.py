"""The obligation services called directly, as the SLA's handlers call them: what each
opens, meets or breaches, the counts it returns, and the days it marks for a rebuild."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from leads.models import Lead
from sla.models import Breach, Obligation, RollupDirtyDay
from sla.services import obligations_open, obligations_respond
from smarketing.events.models import OutboxEvent
from smarketing.tenancy.roles import Role
from smarketing.tenancy.scope import tenant_scope
from tests.leads.factories import LeadFactory
from tests.sla.factories import ObligationFactory, SlaVersionFactory

pytestmark = pytest.mark.django_db

# Long enough ago that the days it touches are outside the rollups' fresh margin.
MONDAY = datetime(2026, 3, 23, 10, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)


def dirty_days(tenant):
    return sorted(RollupDirtyDay.all_tenants.filter(tenant=tenant).values_list("day", flat=True))


def accept_due(lead):
    return Lead.all_tenants.values_list("accept_due_at", "accept_warn_at").get(pk=lead.pk)


# --- opening --------------------------------------------------------------------------------


def test_opening_under_a_named_version_uses_its_terms_even_without_an_active_one(tenant):
    draft = SlaVersionFactory(tenant=tenant, accept_within_hours=2)
    lead = LeadFactory(tenant=tenant, stage="sql")
    with tenant_scope(tenant):
        [opened] = obligations_open(leads=[lead], kind="accept", now=MONDAY, version=draft)
    stored = Obligation.all_tenants.get(lead=lead)
    assert (opened.lead, opened.version, opened.kind) == (lead, draft, "accept")
    assert (stored.version_id, stored.due_at, stored.tenant_id) == (
        draft.pk, MONDAY + 2 * HOUR, tenant.pk,
    )  # fmt: skip
    assert accept_due(lead) == (MONDAY + 2 * HOUR, MONDAY + 1.6 * HOUR)


def test_without_an_active_version_nothing_is_opened_and_nothing_returned(tenant):
    lead = LeadFactory(tenant=tenant, stage="sql")
    with tenant_scope(tenant):
        assert obligations_open(leads=[lead], kind="accept", now=MONDAY) == []
    assert not Obligation.all_tenants.exists()


def test_opening_records_the_owner_and_hot_terms_of_each_lead(tenant, member):
    SlaVersionFactory(tenant=tenant, active=True, first_touch_within_hours=8, hot_score=80,
                      hot_first_touch_within_hours=2)  # fmt: skip
    rep = member(tenant, Role.SALES_REP)
    hot = LeadFactory(tenant=tenant, stage="sql", owner=rep, score=90)
    cold = LeadFactory(tenant=tenant, stage="sql", owner=rep, score=10)
    with tenant_scope(tenant):
        created = obligations_open(leads=[hot, cold], kind="first_touch", now=MONDAY)
    assert len(created) == 2
    rows = {o.lead_id: o for o in Obligation.all_tenants.all()}
    assert (rows[hot.pk].is_hot, rows[hot.pk].within_hours, rows[hot.pk].owner_id) == (
        True, 2, rep.pk,
    )  # fmt: skip
    assert (rows[cold.pk].is_hot, rows[cold.pk].within_hours) == (False, 8)
    assert rows[hot.pk].warn_at == MONDAY + 1.6 * HOUR
    assert {o.kind for o in rows.values()} == {"first_touch"}
    assert accept_due(hot) == (None, None)  # only the accept deadline orders the queue


def test_opening_after_the_fact_marks_its_day_for_a_rebuild(tenant):
    SlaVersionFactory(tenant=tenant, active=True)
    lead = LeadFactory(tenant=tenant, stage="sql")
    with tenant_scope(tenant):
        obligations_open(leads=[lead], kind="accept", now=MONDAY)
    assert dirty_days(tenant) == [MONDAY.date()]


# --- answering ------------------------------------------------------------------------------


def test_answers_are_counted_met_on_time_or_late(tenant):
    on_time = ObligationFactory(tenant=tenant, opened_at=MONDAY, due_at=MONDAY + 4 * HOUR)
    at_the_deadline = ObligationFactory(tenant=tenant, opened_at=MONDAY,
                                        due_at=MONDAY + 4 * HOUR)  # fmt: skip
    late = ObligationFactory(tenant=tenant, opened_at=MONDAY, due_at=MONDAY + 1 * HOUR)
    later = ObligationFactory(tenant=tenant, opened_at=MONDAY, due_at=MONDAY + 2 * HOUR)
    with tenant_scope(tenant):
        counts = obligations_respond(kind="accept", answered_at={
            on_time.lead_id: MONDAY + 1 * HOUR,
            at_the_deadline.lead_id: MONDAY + 4 * HOUR,
            late.lead_id: MONDAY + 3 * HOUR,
            later.lead_id: MONDAY + 5 * HOUR,
        })  # fmt: skip
    assert counts == {"met": 2, "late": 2}
    statuses = dict(Obligation.all_tenants.values_list("pk", "status"))
    assert statuses == {on_time.pk: "met", at_the_deadline.pk: "met", late.pk: "breached",
                        later.pk: "breached"}  # fmt: skip
    late.refresh_from_db()
    assert (late.met_at, late.response_business_hours) == (MONDAY + 3 * HOUR, 3.0)
    on_time.refresh_from_db()
    assert (on_time.met_at, on_time.response_business_hours) == (MONDAY + HOUR, 1.0)


def test_an_answer_at_the_instant_the_obligation_opened_meets_it(tenant):
    opened = ObligationFactory(tenant=tenant, opened_at=MONDAY)
    with tenant_scope(tenant):
        counts = obligations_respond(kind="accept", answered_at={opened.lead_id: MONDAY})
    assert counts == {"met": 1, "late": 0}
    stored = Obligation.all_tenants.get()
    assert (stored.status, stored.met_at, stored.response_business_hours) == ("met", MONDAY, 0)


def test_the_terms_are_read_with_the_obligations_not_once_per_answer(tenant):
    answered = {
        ObligationFactory(tenant=tenant, opened_at=MONDAY).lead_id: MONDAY + HOUR for _ in range(3)
    }
    with tenant_scope(tenant), CaptureQueriesContext(connection) as queries:
        assert obligations_respond(kind="accept", answered_at=answered)["met"] == 3
    version_reads = [
        q["sql"] for q in queries if q["sql"].startswith("SELECT") and "sla_slaversion" in q["sql"]
        and "sla_obligation" not in q["sql"]
    ]  # fmt: skip
    assert version_reads == []


def test_no_answers_count_nothing(tenant):
    ObligationFactory(tenant=tenant)
    with tenant_scope(tenant):
        assert obligations_respond(kind="accept", answered_at={}) == {"met": 0, "late": 0}
    assert Obligation.all_tenants.get().status == "pending"


def test_only_late_answers_count_no_met_ones_and_the_other_way_round(tenant):
    late = ObligationFactory(tenant=tenant, opened_at=MONDAY, due_at=MONDAY + HOUR)
    on_time = ObligationFactory(tenant=tenant, opened_at=MONDAY, due_at=MONDAY + HOUR)
    with tenant_scope(tenant):
        assert obligations_respond(kind="accept", answered_at={
            late.lead_id: MONDAY + 2 * HOUR
        }) == {"met": 0, "late": 1}  # fmt: skip
        assert obligations_respond(kind="accept", answered_at={
            on_time.lead_id: MONDAY
        }) == {"met": 1, "late": 0}  # fmt: skip


def test_a_touch_from_before_an_obligation_answers_only_that_one(tenant):
    earlier = ObligationFactory(tenant=tenant, opened_at=MONDAY + 2 * HOUR)
    later = ObligationFactory(tenant=tenant, opened_at=MONDAY)
    assert earlier.pk < later.pk  # the first one read is the one the touch predates
    with tenant_scope(tenant):
        counts = obligations_respond(kind="accept", answered_at={
            earlier.lead_id: MONDAY + HOUR, later.lead_id: MONDAY + HOUR,
        })  # fmt: skip
    assert counts == {"met": 1, "late": 0}
    assert Obligation.all_tenants.get(pk=earlier.pk).status == "pending"
    assert Obligation.all_tenants.get(pk=later.pk).status == "met"


def test_an_answer_meets_only_obligations_of_its_kind(tenant):
    touch = ObligationFactory(tenant=tenant, kind="first_touch", opened_at=MONDAY)
    with tenant_scope(tenant):
        counts = obligations_respond(kind="accept", answered_at={touch.lead_id: MONDAY + HOUR})
    assert counts == {"met": 0, "late": 0}
    assert Obligation.all_tenants.get().status == "pending"


def test_an_accept_answer_takes_the_lead_out_of_the_queue_and_a_touch_does_not(tenant):
    accept = ObligationFactory(tenant=tenant, opened_at=MONDAY)
    touch = ObligationFactory(tenant=tenant, kind="first_touch", opened_at=MONDAY)
    for obligation in (accept, touch):
        Lead.all_tenants.filter(pk=obligation.lead_id).update(
            accept_due_at=obligation.due_at, accept_warn_at=obligation.warn_at
        )
    with tenant_scope(tenant):
        obligations_respond(kind="accept", answered_at={accept.lead_id: MONDAY + HOUR})
        obligations_respond(kind="first_touch", answered_at={touch.lead_id: MONDAY + HOUR})
    assert accept_due(accept.lead) == (None, None)
    assert accept_due(touch.lead) == (touch.due_at, touch.warn_at)


def test_answering_marks_the_days_the_answered_obligations_opened(tenant):
    first = ObligationFactory(tenant=tenant, opened_at=MONDAY)
    second = ObligationFactory(tenant=tenant, opened_at=MONDAY + timedelta(days=1))
    with tenant_scope(tenant):
        obligations_respond(kind="accept", answered_at={
            first.lead_id: MONDAY + HOUR, second.lead_id: MONDAY + timedelta(days=1, hours=1),
        })  # fmt: skip
    assert dirty_days(tenant) == [MONDAY.date(), (MONDAY + timedelta(days=1)).date()]


def test_a_late_answer_records_one_breach_and_never_reroutes(tenant, member, clock):
    SlaVersionFactory(tenant=tenant, active=True, reroute_on_breach=True,
                      notify_on_breach=["owner"])  # fmt: skip
    rep = member(tenant, Role.SALES_REP)
    member(tenant, Role.SALES_REP)  # someone a re-route could pick
    # The SQL is answered late while it is still unaccepted: the terms would re-route a
    # breach the sweep found, never one an answer closed.
    late = ObligationFactory(tenant=tenant, opened_at=MONDAY, due_at=MONDAY + HOUR, owner=rep)
    Lead.all_tenants.filter(pk=late.lead_id).update(owner=rep)
    bystander = ObligationFactory(tenant=tenant, opened_at=MONDAY, due_at=MONDAY + HOUR)
    now = clock.set(MONDAY + 5 * HOUR)
    with tenant_scope(tenant):
        obligations_respond(kind="accept", answered_at={late.lead_id: MONDAY + 2 * HOUR})
    breach = Breach.all_tenants.get()
    assert (breach.obligation_id, breach.lead_id, breach.kind, breach.owner_id) == (
        late.pk, late.lead_id, "accept", rep.pk,
    )  # fmt: skip
    assert (breach.due_at, breach.breached_at, breach.rerouted_to_id) == (
        MONDAY + HOUR, now, None,
    )  # fmt: skip
    assert breach.escalated_to == [rep.pk]
    assert Lead.all_tenants.get(pk=late.lead_id).owner_id == rep.pk
    stored = Obligation.all_tenants.get(pk=late.pk)
    assert (stored.status, stored.breached_at) == ("breached", now)
    untouched = Obligation.all_tenants.get(pk=bystander.pk)  # owed on a lead not answered
    assert (untouched.status, untouched.met_at) == ("pending", None)
    [event] = OutboxEvent.all_tenants.filter(event_type="sla.breached")
    assert (event.data["obligation"], event.data["version"]) == (late.pk, late.version_id)
    assert datetime.fromisoformat(event.data["opened_at"]) == MONDAY


def test_a_late_answer_after_the_sweep_breached_it_adds_no_second_breach(tenant):
    breached = ObligationFactory(tenant=tenant, opened_at=MONDAY, due_at=MONDAY + HOUR,
                                 status="breached", breached_at=MONDAY + HOUR)  # fmt: skip
    with tenant_scope(tenant):
        counts = obligations_respond(kind="accept", answered_at={
            breached.lead_id: MONDAY + 2 * HOUR
        })  # fmt: skip
    assert counts == {"met": 0, "late": 1}
    assert not Breach.all_tenants.exists()
    stored = Obligation.all_tenants.get()
    assert (stored.status, stored.breached_at, stored.met_at) == (
        "breached", MONDAY + HOUR, MONDAY + 2 * HOUR,
    )  # fmt: skip


def test_an_answer_to_obligations_closed_already_changes_nothing(tenant):
    met = ObligationFactory(tenant=tenant, opened_at=MONDAY, status="met", met_at=MONDAY + HOUR,
                            response_business_hours=1.0)  # fmt: skip
    late = ObligationFactory(tenant=tenant, opened_at=MONDAY, status="breached",
                             breached_at=MONDAY + 4 * HOUR, met_at=MONDAY + 5 * HOUR)  # fmt: skip
    cancelled = ObligationFactory(tenant=tenant, opened_at=MONDAY, status="cancelled",
                                  cancelled_at=MONDAY + HOUR)  # fmt: skip
    with tenant_scope(tenant):
        counts = obligations_respond(kind="accept", answered_at={
            o.lead_id: MONDAY + 6 * HOUR for o in (met, late, cancelled)
        })  # fmt: skip
    assert counts == {"met": 0, "late": 0}
    assert dict(Obligation.all_tenants.values_list("pk", "met_at")) == {
        met.pk: MONDAY + HOUR, late.pk: MONDAY + 5 * HOUR, cancelled.pk: None,
    }  # fmt: skip
    assert dirty_days(tenant) == []  # nothing changed: no day to rebuild
