"""The sweep: due obligations become one breach and one event each, with escalation."""

import json
import re
from datetime import UTC, datetime, timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

import sla
from leads.models import Lead, Stage, StageTransition
from sla.models import Breach, Obligation, RollupDirtyDay
from sla.services import sla_sweep
from smarketing.celery import VISIBILITY_TIMEOUT_SECONDS, app
from smarketing.events.models import OutboxEvent
from smarketing.tenancy.models import Membership
from smarketing.tenancy.roles import Role
from tests.leads.factories import LeadFactory
from tests.scopes import deployed
from tests.sla.factories import ObligationFactory

# Sweeps run from the deployed connection defaults, as Celery beat starts them.
sla_sweep = deployed(sla_sweep)

pytestmark = pytest.mark.django_db

NOW = datetime(2027, 3, 22, 12, 0, tzinfo=UTC)


def due(tenant, minutes_ago: int, **fields):
    return ObligationFactory(
        tenant=tenant,
        opened_at=NOW - timedelta(hours=4, minutes=minutes_ago),
        due_at=NOW - timedelta(minutes=minutes_ago),
        warn_at=NOW - timedelta(minutes=minutes_ago + 48),
        **fields,
    )


def breach_events():
    return list(OutboxEvent.all_tenants.filter(event_type="sla.breached").order_by("created_at"))


def test_only_due_obligations_are_breached_each_once(tenant, active_sla):
    active_sla()
    late = [due(tenant, minutes) for minutes in (0, 5, 300)]
    future = ObligationFactory(tenant=tenant, due_at=NOW + timedelta(minutes=1),
                               warn_at=NOW + timedelta(hours=1))  # fmt: skip
    met = due(tenant, 10, status="met", met_at=NOW - timedelta(hours=1))

    assert sla_sweep(now=NOW, batch_size=2).breached == 3  # two batches
    assert sla_sweep(now=NOW).breached == 0
    for obligation in late:
        obligation.refresh_from_db()
        assert (obligation.status, obligation.breached_at) == ("breached", NOW)
    assert Obligation.all_tenants.get(pk=future.pk).status == "pending"
    assert Obligation.all_tenants.get(pk=met.pk).status == "met"
    assert sorted(Breach.all_tenants.values_list("obligation_id", flat=True)) == sorted(
        o.pk for o in late
    )
    assert sorted(e.data["obligation"] for e in breach_events()) == sorted(o.pk for o in late)
    assert set(Breach.all_tenants.values_list("breached_at", flat=True)) == {NOW}
    # Their days are rebuilt in the rollups (the sweep's time, not the clock's, is now).
    marked = RollupDirtyDay.all_tenants.values_list("day", flat=True)
    assert sorted(marked) == sorted({o.opened_at.date() for o in late})


def test_a_breach_event_names_owner_and_managers_to_notify(tenant, member, active_sla):
    version = active_sla()
    rep = member(tenant, Role.SALES_REP)
    boss = member(tenant, Role.MANAGER)
    obligation = due(tenant, 1, owner=rep)
    sla_sweep(now=NOW)
    [event] = breach_events()
    assert event.data["owner"] == {"id": rep.pk, "email": rep.email}
    assert event.data["notify"] == [{"id": rep.pk, "email": rep.email},
                                    {"id": boss.pk, "email": boss.email}]  # fmt: skip
    assert event.data["lead"] == obligation.lead_id
    assert event.data["kind"] == "accept"
    assert event.data["version"] == version.pk
    times = {key: datetime.fromisoformat(event.data[key])
             for key in ("opened_at", "due_at", "breached_at")}  # fmt: skip
    assert times == {"opened_at": obligation.opened_at, "due_at": obligation.due_at,
                     "breached_at": NOW}  # fmt: skip
    breach = Breach.all_tenants.get(obligation=obligation)
    assert (breach.owner_id, breach.escalated_to) == (rep.pk, [rep.pk, boss.pk])


def test_a_manager_who_owns_the_breached_obligation_is_notified_once(tenant, member, active_sla):
    active_sla()
    boss, other_boss = member(tenant, Role.MANAGER), member(tenant, Role.MANAGER)
    due(tenant, 1, owner=boss)
    sla_sweep(now=NOW)
    assert [p["id"] for p in breach_events()[0].data["notify"]] == [boss.pk, other_boss.pk]


def test_escalation_follows_the_versions_notify_setting(tenant, member, active_sla):
    active_sla(notify_on_breach=["managers"])
    rep = member(tenant, Role.SALES_REP)
    boss = member(tenant, Role.MANAGER)
    due(tenant, 1, owner=rep)
    sla_sweep(now=NOW)
    assert [p["id"] for p in breach_events()[0].data["notify"]] == [boss.pk]


def test_a_breached_sql_is_rerouted_to_the_least_loaded_rep_who_is_in(tenant, member, active_sla):
    active_sla(reroute_on_breach=True, accept_within_hours=4)
    slow, busy, free, away = (member(tenant, Role.SALES_REP) for _ in range(4))
    Membership.all_tenants.filter(user=away).update(is_away=True)
    LeadFactory(tenant=tenant, stage=Stage.SQL, owner=busy)  # busy has an open SQL already
    lead = LeadFactory(tenant=tenant, stage=Stage.SQL, owner=slow)
    breached = due(tenant, 1, lead=lead, owner=slow)

    assert sla_sweep(now=NOW).rerouted == 1
    lead.refresh_from_db()
    assert lead.owner_id == free.pk
    assert Breach.all_tenants.get(obligation=breached).rerouted_to_id == free.pk
    [event] = breach_events()
    assert event.data["rerouted_to"] == {"id": free.pk, "email": free.email}
    assert event.data["owner"]["id"] == slow.pk
    note = StageTransition.all_tenants.get(lead=lead, action="assign").note
    assert note == f"Re-routed to {free.email}: the SLA's accept deadline passed."
    fresh = Obligation.all_tenants.get(lead=lead, status="pending")
    assert (fresh.kind, fresh.owner_id) == ("accept", free.pk)


@pytest.mark.parametrize(
    ("reroute_on_breach", "accepted"),
    [pytest.param(False, False, id="version-says-no"), pytest.param(True, True, id="accepted")],
)
def test_no_reroute_when_the_version_says_no_or_the_sql_was_accepted(
    tenant, member, active_sla, reroute_on_breach, accepted
):
    active_sla(reroute_on_breach=reroute_on_breach, accept_within_hours=4)
    rep = member(tenant, Role.SALES_REP)
    free = member(tenant, Role.SALES_REP)  # someone routing could choose: only the rule stops it
    lead = LeadFactory(
        tenant=tenant,
        stage=Stage.SQL,
        owner=rep,
        accepted_at=NOW - timedelta(hours=1) if accepted else None,
    )
    breached = due(tenant, 1, lead=lead, owner=rep)

    counts = sla_sweep(now=NOW)

    assert (counts.breached, counts.rerouted) == (1, 0)
    assert Lead.all_tenants.get(pk=lead.pk).owner_id == rep.pk
    assert Breach.all_tenants.get(obligation=breached).rerouted_to_id is None
    assert not StageTransition.all_tenants.filter(lead=lead, action="assign").exists()
    assert not Obligation.all_tenants.filter(lead=lead, owner=free).exists()
    assert breach_events()[0].data["rerouted_to"] is None


def test_warnings_go_out_once_at_eighty_percent(tenant, member, active_sla):
    active_sla()
    rep = member(tenant, Role.SALES_REP)
    close = ObligationFactory(tenant=tenant, owner=rep, due_at=NOW + timedelta(minutes=30),
                              warn_at=NOW - timedelta(minutes=1))  # fmt: skip
    ObligationFactory(tenant=tenant, due_at=NOW + timedelta(hours=3),
                      warn_at=NOW + timedelta(hours=2))  # fmt: skip
    assert sla_sweep(now=NOW).warned == 1
    assert sla_sweep(now=NOW + timedelta(minutes=5)).warned == 0
    [warning] = OutboxEvent.all_tenants.filter(event_type="sla.warning")
    assert warning.data["obligation"] == close.pk
    assert warning.data["notify"] == [{"id": rep.pk, "email": rep.email}]
    close.refresh_from_db()
    assert close.warned_at == NOW


def test_warnings_are_counted_over_every_batch(tenant, member, active_sla):
    active_sla()
    rep = member(tenant, Role.SALES_REP)
    for minutes in (1, 2, 3):
        ObligationFactory(tenant=tenant, owner=rep, due_at=NOW + timedelta(minutes=30),
                          warn_at=NOW - timedelta(minutes=minutes))  # fmt: skip
    assert sla_sweep(now=NOW, batch_size=2).warned == 3
    assert OutboxEvent.all_tenants.filter(event_type="sla.warning").count() == 3


def test_a_warning_says_when_and_goes_to_the_managers_when_nobody_owns_it(
    tenant, member, active_sla
):
    active_sla()
    boss = member(tenant, Role.MANAGER)
    unowned = ObligationFactory(tenant=tenant, owner=None, opened_at=NOW - timedelta(hours=4),
                                due_at=NOW + timedelta(minutes=30),
                                warn_at=NOW - timedelta(minutes=1))  # fmt: skip
    assert sla_sweep(now=NOW).warned == 1
    [warning] = OutboxEvent.all_tenants.filter(event_type="sla.warning")
    assert warning.data["notify"] == [{"id": boss.pk, "email": boss.email}]
    assert warning.data["owner"] is None
    assert (warning.data["lead"], warning.data["kind"]) == (unowned.lead_id, "accept")
    times = {name: datetime.fromisoformat(warning.data[name])
             for name in ("opened_at", "warn_at", "due_at")}  # fmt: skip
    assert times == {"opened_at": unowned.opened_at, "warn_at": unowned.warn_at,
                     "due_at": unowned.due_at}  # fmt: skip


def test_a_breached_lead_that_is_no_sql_any_more_is_not_rerouted(tenant, member, active_sla):
    active_sla(reroute_on_breach=True, accept_within_hours=4)
    rep, free = member(tenant, Role.SALES_REP), member(tenant, Role.SALES_REP)
    # Its accept obligation is still pending, as left by data from before the handlers.
    lead = LeadFactory(tenant=tenant, stage=Stage.RECYCLED, owner=rep)
    due(tenant, 1, lead=lead, owner=rep)
    assert sla_sweep(now=NOW).rerouted == 0
    assert Lead.all_tenants.get(pk=lead.pk).owner_id == rep.pk
    assert not Obligation.all_tenants.filter(lead=lead, owner=free).exists()


def test_a_lead_nobody_can_take_over_does_not_stop_the_next_from_being_rerouted(
    tenant, member, active_sla
):
    active_sla(reroute_on_breach=True, accept_within_hours=4)
    alone, away = member(tenant, Role.SALES_REP), member(tenant, Role.SALES_REP)
    Membership.all_tenants.filter(user=away).update(is_away=True)
    # The first lead's only other rep is away; the second lead's owner is the one away.
    stuck = LeadFactory(tenant=tenant, stage=Stage.SQL, owner=alone)
    handed_on = LeadFactory(tenant=tenant, stage=Stage.SQL, owner=away)
    due(tenant, 2, lead=stuck, owner=alone)
    due(tenant, 1, lead=handed_on, owner=away)

    assert sla_sweep(now=NOW).rerouted == 1
    owners = dict(Lead.all_tenants.values_list("pk", "owner_id"))
    assert (owners[stuck.pk], owners[handed_on.pk]) == (alone.pk, alone.pk)


def test_reroutes_are_counted_over_every_batch(tenant, member, active_sla):
    active_sla(reroute_on_breach=True, accept_within_hours=4)
    slow, free = member(tenant, Role.SALES_REP), member(tenant, Role.SALES_REP)
    leads = [LeadFactory(tenant=tenant, stage=Stage.SQL, owner=slow) for _ in range(2)]
    for minutes, lead in enumerate(leads):
        due(tenant, minutes, lead=lead, owner=slow)
    counts = sla_sweep(now=NOW, batch_size=1)
    assert (counts.breached, counts.rerouted) == (2, 2)
    assert set(Lead.all_tenants.values_list("owner_id", flat=True)) == {free.pk}


def test_an_obligation_due_before_its_warning_went_out_is_only_breached(tenant, active_sla):
    active_sla()
    due(tenant, 1)
    counts = sla_sweep(now=NOW)
    assert (counts.breached, counts.warned) == (1, 0)


def test_the_sweep_covers_every_tenant_or_the_one_named(tenant, other_tenant, active_sla):
    active_sla()
    past = datetime(2020, 1, 6, 9, 0, tzinfo=UTC)  # the command sweeps as of the real clock
    mine = ObligationFactory(tenant=tenant, due_at=past, warn_at=past)
    theirs = ObligationFactory(tenant=other_tenant, due_at=past, warn_at=past)
    out = StringIO()
    call_command("sla_sweep", "--tenant", other_tenant.slug, stdout=out)
    counts = json.loads(out.getvalue())
    assert counts["breached"] == 1
    assert set(counts) >= {"breached", "warned", "rerouted", "cold", "recycled"}
    assert Obligation.all_tenants.get(pk=theirs.pk).status == "breached"
    assert Obligation.all_tenants.get(pk=mine.pk).status == "pending"
    event = OutboxEvent.all_tenants.get(event_type="sla.breached")
    assert event.tenant_id == other_tenant.pk


def test_the_sweep_runs_every_minute_and_nothing_waits_past_the_visibility_timeout():
    schedule = app.conf.beat_schedule
    assert schedule["sla-sweep"] == {"task": "sla.sweep", "schedule": 60.0}
    # Deadlines are found by the sweep, never parked in the broker as delayed messages: a
    # message held past the visibility timeout would be delivered twice.
    sources = [path.read_text() for path in Path(sla.__file__).parent.rglob("*.py")]
    assert not [text for text in sources if re.search(r"countdown|\beta\s*=|apply_async", text)]
    assert VISIBILITY_TIMEOUT_SECONDS >= 3600
    app.loader.import_default_modules()
    assert {"sla.sweep", "sla.cold_sweep", "sla.review_reminders"} <= set(app.tasks)


def test_the_sweep_task_runs_the_service(tenant, active_sla):
    from sla.tasks import sla_sweep as sweep_task

    active_sla()
    ObligationFactory(tenant=tenant, due_at=datetime(2020, 1, 1, tzinfo=UTC),
                      warn_at=datetime(2020, 1, 1, tzinfo=UTC))  # fmt: skip
    assert sweep_task.delay().get()["breached"] == 1


def test_batches_resume_where_the_last_ended_without_losing_rows_due_at_the_same_instant(
    tenant, active_sla
):
    active_sla()
    same = [due(tenant, 5) for _ in range(7)]
    later = due(tenant, 1)
    assert sla_sweep(now=NOW, batch_size=2).breached == 8
    assert Breach.all_tenants.count() == 8
    assert {o.status for o in Obligation.all_tenants.filter(pk__in=[o.pk for o in same])} == {
        "breached"
    }
    assert Obligation.all_tenants.get(pk=later.pk).status == "breached"


def test_a_pause_holds_only_the_batches_that_claimed_something(tenant, active_sla, monkeypatch):
    active_sla()
    held = []
    monkeypatch.setattr("sla.services.breaches.time.sleep", held.append)
    for minutes in (1, 2, 3):
        due(tenant, minutes)
    assert sla_sweep(now=NOW, batch_size=2).breached == 3
    assert held == []  # no pause unless asked

    for minutes in (1, 2, 3):
        due(tenant, minutes)
    assert sla_sweep(now=NOW, batch_size=2, batch_pause_seconds=0.25).breached == 3
    assert held == [0.25, 0.25]  # two batches of breaches; the warnings' found nothing
