"""Routing: who gets an SQL when it enters the queue, and when the SLA re-routes it."""

from datetime import UTC, datetime, timedelta

import pytest

from leads.models import Lead, StageTransition
from leads.routing.models import RoutingSettings
from sla.models import Breach, Obligation
from sla.services import sla_sweep
from smarketing.events.models import OutboxEvent
from smarketing.tenancy.models import Membership
from smarketing.tenancy.roles import Role
from tests.queue.factories import (
    RoutingRuleFactory,
    RoutingSettingsFactory,
    TeamFactory,
    TeamMemberFactory,
)
from tests.scopes import deployed

sla_sweep = deployed(sla_sweep)

pytestmark = pytest.mark.django_db

MONDAY = datetime(2027, 3, 22, 10, 0, tzinfo=UTC)


def owners(leads):
    found = Lead.all_tenants.select_related("owner").in_bulk([lead.pk for lead in leads])
    return [found[lead.pk].owner.email if found[lead.pk].owner else None for lead in leads]


def away(user):
    Membership.all_tenants.filter(user=user).update(is_away=True)


def test_in_pull_mode_an_sql_waits_in_the_queue_for_anyone(tenant, reps, hand_off):
    reps(2)
    lead = hand_off()
    assert lead.owner_id is None
    assert not StageTransition.all_tenants.filter(lead=lead, action="assign").exists()


def test_round_robin_takes_turns_and_skips_away_reps(tenant, reps, hand_off):
    rep1, rep2, rep3 = reps(3)
    RoutingSettingsFactory(tenant=tenant, mode="round_robin")
    first = [hand_off() for _ in range(3)]
    away(rep2)
    then = [hand_off() for _ in range(2)]
    assert owners(first) == ["rep1@acme.example", "rep2@acme.example", "rep3@acme.example"]
    assert owners(then) == ["rep1@acme.example", "rep3@acme.example"]
    assert rep1 and rep3


def test_routing_is_recorded_in_history_as_the_system_and_announced(tenant, reps, hand_off):
    reps(1)
    RoutingSettingsFactory(tenant=tenant, mode="round_robin")
    lead = hand_off()
    assign = StageTransition.all_tenants.get(lead=lead, action="assign")
    assert assign.actor is None and assign.actor_label == "system"
    assert "rep1@acme.example" in assign.note and "round-robin" in assign.note
    event = OutboxEvent.all_tenants.get(event_type="lead.assigned", data__id=lead.pk)
    assert event.data["owner"]["email"] == "rep1@acme.example"


def test_capacity_mode_prefers_the_rep_with_the_most_free_capacity(tenant, reps, hand_off):
    _rep1, rep2 = reps(2)
    RoutingSettingsFactory(tenant=tenant, mode="capacity", default_capacity=4,
                           capacities={str(rep2.pk): 2})  # fmt: skip
    routed = [hand_off() for _ in range(6)]
    # rep1 holds up to 4, rep2 up to 2: each SQL goes to the lower share of capacity used.
    assert sorted(owners(routed), key=str) == sorted(
        ["rep1@acme.example"] * 4 + ["rep2@acme.example"] * 2
    )
    overflow = hand_off()
    assert overflow.owner_id is None  # everyone is full: it waits in the queue


def test_open_opportunities_count_against_capacity(tenant, reps, hand_off):
    from tests.leads.factories import LeadFactory

    rep1, _rep2 = reps(2)
    RoutingSettingsFactory(tenant=tenant, mode="capacity", default_capacity=2)
    LeadFactory.create_batch(2, tenant=tenant, stage="opportunity", owner=rep1)
    assert owners([hand_off()]) == ["rep2@acme.example"]


def test_a_country_rule_sends_the_sql_to_a_team(tenant, reps, hand_off):
    _rep1, rep2, rep3 = reps(3)
    RoutingSettingsFactory(tenant=tenant, mode="round_robin")
    italy = TeamFactory(tenant=tenant, name="Italy")
    TeamMemberFactory(tenant=tenant, team=italy, user=rep2)
    TeamMemberFactory(tenant=tenant, team=italy, user=rep3)
    RoutingRuleFactory(tenant=tenant, field="country", values=["IT"], team=italy)
    italians = [hand_off(country="IT") for _ in range(3)]
    german = hand_off(country="DE")
    assert owners(italians) == ["rep2@acme.example", "rep3@acme.example", "rep2@acme.example"]
    assert owners([german]) == ["rep1@acme.example"]
    assert "team Italy" in StageTransition.all_tenants.get(lead=italians[0], action="assign").note


def test_an_industry_rule_to_a_rep_routes_even_in_pull_mode(tenant, reps, hand_off):
    _rep1, rep2 = reps(2)
    RoutingRuleFactory(tenant=tenant, field="industry", values=["manufacturing"], team=None,
                       rep=rep2)  # fmt: skip
    assert owners([hand_off(industry="Manufacturing")]) == ["rep2@acme.example"]
    assert owners([hand_off(industry="retail")]) == [None]


def test_a_persona_rule_whose_rep_is_away_falls_through_to_the_mode(tenant, reps, hand_off):
    _rep1, rep2 = reps(2)
    RoutingSettingsFactory(tenant=tenant, mode="round_robin")
    RoutingRuleFactory(tenant=tenant, field="persona", values=["7"], team=None, rep=rep2)
    away(rep2)
    assert owners([hand_off(persona_id=7)]) == ["rep1@acme.example"]


def test_away_reps_get_nothing_even_when_everyone_is_away(tenant, reps, hand_off):
    for rep in reps(2):
        away(rep)
    RoutingSettingsFactory(tenant=tenant, mode="round_robin")
    assert hand_off().owner_id is None


def test_a_breached_sql_is_rerouted_by_the_tenants_routing(tenant, reps, hand_off, active_sla,
                                                           clock):  # fmt: skip
    rep1, rep2, rep3 = reps(3)
    active_sla(accept_within_hours=4, reroute_on_breach=True)
    RoutingSettingsFactory(tenant=tenant, mode="round_robin")
    clock.set(MONDAY)
    lead = hand_off()
    assert lead.owner_id == rep1.pk
    away(rep2)

    counts = sla_sweep(now=MONDAY + timedelta(hours=5))

    assert counts.rerouted == 1
    lead.refresh_from_db()
    assert lead.owner_id == rep3.pk  # next in turn after rep1, rep2 being away
    breach = Breach.all_tenants.get(lead=lead)
    assert breach.rerouted_to_id == rep3.pk
    note = StageTransition.all_tenants.filter(lead=lead, action="assign").latest("id").note
    assert note.startswith("Re-routed to rep3@acme.example")
    fresh = Obligation.all_tenants.get(lead=lead, status="pending", kind="accept")
    assert fresh.owner_id == rep3.pk
    assert lead.accept_due_at == fresh.due_at


def test_in_pull_mode_a_breached_sql_goes_to_the_least_loaded_other_rep(
    tenant, reps, hand_off, active_sla, clock
):
    from tests.leads.factories import LeadFactory

    rep1, rep2 = reps(2)
    active_sla(accept_within_hours=4, reroute_on_breach=True)
    LeadFactory(tenant=tenant, stage="sql", owner=rep1, accepted_at=MONDAY)
    clock.set(MONDAY)
    lead = hand_off()
    sla_sweep(now=MONDAY + timedelta(hours=5))
    lead.refresh_from_db()
    assert lead.owner_id == rep2.pk


def test_the_sla_deadline_is_copied_to_the_lead_and_cleared_on_accept(
    tenant, reps, hand_off, active_sla, clock, api_client_for
):
    active_sla(accept_within_hours=4)
    clock.set(MONDAY)
    lead = hand_off()
    assert lead.accept_due_at == MONDAY + timedelta(hours=4)
    assert lead.accept_warn_at == MONDAY + timedelta(hours=3.2)
    api_client_for(tenant, user=reps(1)[0]).post(f"/api/v1/leads/{lead.pk}/accept/")
    lead.refresh_from_db()
    assert lead.accept_due_at is None


def test_managers_read_and_replace_routing_through_the_api(tenant, api_client_for, reps, manager):
    _rep1, rep2 = reps(2)
    client = api_client_for(tenant, user=manager)
    body = {
        "mode": "capacity", "default_capacity": 10, "capacities": {"rep2@acme.example": 3},
        "teams": [{"name": "Italy", "members": ["rep1@acme.example", "rep2@acme.example"]}],
        "rules": [{"field": "country", "values": ["it", "sm"], "team": "Italy"},
                  {"field": "industry", "values": ["Retail"], "rep": "rep2@acme.example"}],
    }  # fmt: skip
    response = client.put("/api/v1/routing/", body, format="json")
    assert response.status_code == 200, response.content
    got = client.get("/api/v1/routing/").json()
    assert got["mode"] == "capacity" and got["capacities"] == {"rep2@acme.example": 3}
    assert got["teams"] == [
        {"name": "Italy", "members": ["rep1@acme.example", "rep2@acme.example"]}
    ]
    assert got["rules"][0] == {"field": "country", "values": ["IT", "SM"], "team": "Italy",
                               "rep": None, "is_active": True}  # fmt: skip
    assert got["rules"][1]["values"] == ["retail"]
    assert RoutingSettings.all_tenants.get(tenant=tenant).capacity_of(rep2.pk) == 3


def test_routing_refuses_unknown_reps_and_teams(tenant, api_client_for, manager, reps):
    reps(1)
    client = api_client_for(tenant, user=manager)
    rule = {"field": "country", "values": ["IT"], "rep": "nobody@x.example"}
    bad_rep = {"mode": "pull", "default_capacity": 5, "rules": [rule]}
    response = client.put("/api/v1/routing/", bad_rep, format="json")
    # A rep who is no member here conflicts with the tenant's members...
    assert response.status_code == 409
    assert response.json()["errors"] == {
        "rules[0].rep": ["Not a sales rep or manager here: nobody@x.example."]
    }
    # ...a rule naming a team the same body does not define is a mistake in the body.
    bad_team = {"mode": "pull", "default_capacity": 5,
                "rules": [{"field": "country", "values": ["IT"], "team": "Nowhere"}]}  # fmt: skip
    assert client.put("/api/v1/routing/", bad_team, format="json").status_code == 400


def test_only_managers_change_routing(tenant, api_client_for):
    rep = api_client_for(tenant, Role.SALES_REP)
    assert rep.get("/api/v1/routing/").status_code == 403
    body = {"mode": "round_robin", "default_capacity": 5}
    assert rep.put("/api/v1/routing/", body, format="json").status_code == 403


def test_a_rep_marks_themselves_away_and_back(tenant, api_client_for, reps, hand_off):
    rep = reps(1)[0]
    RoutingSettingsFactory(tenant=tenant, mode="round_robin")
    client = api_client_for(tenant, user=rep)
    assert client.post("/api/v1/me/away/", {"away": True}, format="json").json() == {"away": True}
    assert hand_off().owner_id is None
    assert client.post("/api/v1/me/away/", {"away": False}, format="json").json() == {"away": False}
    assert hand_off().owner_id == rep.pk


def test_a_blank_email_among_the_capacities_is_a_400(tenant, api_client_for, manager):
    client = api_client_for(tenant, user=manager)
    body = {"mode": "capacity", "default_capacity": 5, "capacities": {"": 5}}
    response = client.put("/api/v1/routing/", body, format="json")
    assert response.status_code == 400
    assert "capacities" in response.json()["errors"]
