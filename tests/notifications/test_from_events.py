"""Notifications are made by the outbox relay from events, once per event, person and kind."""

from datetime import UTC, datetime, timedelta

import pytest

from leads import services as leads
from leads.models import Stage
from sla.services import cold_leads_sweep, sla_sweep
from smarketing.events import publish
from smarketing.events.models import OutboxEvent
from smarketing.notifications.models import Notification
from smarketing.tenancy.actors import Actor
from smarketing.tenancy.roles import Role
from smarketing.tenancy.scope import tenant_scope
from smarketing.webhooks.services import endpoint_disable_failing
from tests.leads.factories import LeadFactory
from tests.queue.factories import RoutingSettingsFactory
from tests.scopes import deployed
from tests.sla.factories import SlaVersionFactory
from tests.webhooks.factories import WebhookEndpointFactory

sla_sweep = deployed(sla_sweep)
cold_leads_sweep = deployed(cold_leads_sweep)

pytestmark = pytest.mark.django_db

MONDAY = datetime(2027, 3, 22, 10, 0, tzinfo=UTC)


@pytest.fixture
def people(tenant, member):
    return {
        "rep": member(tenant, Role.SALES_REP, email="rep@acme.example"),
        "manager": member(tenant, Role.MANAGER, email="boss@acme.example"),
        "admin": member(tenant, Role.ADMIN, email="admin@acme.example"),
        "marketer": member(tenant, Role.MARKETER, email="mara@acme.example"),
    }


def hand_off(tenant, people, **fields):
    lead = LeadFactory(tenant=tenant, stage=Stage.MQL, first_name="Giulia", last_name="Rossi",
                       company="Officine Rossi", **fields)  # fmt: skip
    with tenant_scope(tenant):
        leads.lead_transition(lead=lead, to=Stage.SQL,
                              actor=Actor.member(people["marketer"], Role.MARKETER))  # fmt: skip
    return lead


def of(user, **filters):
    return list(Notification.all_tenants.filter(user=user, **filters).order_by("id"))


def test_a_lead_routed_to_a_rep_notifies_them_once_however_often_it_is_relayed(
    tenant, people, relay
):
    RoutingSettingsFactory(tenant=tenant, mode="round_robin")
    lead = hand_off(tenant, people)
    relay()
    OutboxEvent.all_tenants.update(relayed_at=None)  # a duplicate relay of the same events
    relay()

    [note] = of(people["rep"])
    assert note.kind == "lead_assigned"
    assert note.title == "Lead routed to you: Giulia Rossi"
    assert note.url == f"/t/acme/leads/{lead.pk}/"
    assert (note.in_app, note.email) == (True, True)  # the default for this kind: both
    assert note.tenant_id == tenant.pk
    assert not of(people["manager"])


def test_a_breach_notifies_the_owner_and_the_managers(tenant, people, relay, clock):
    SlaVersionFactory(tenant=tenant, active=True, accept_within_hours=4)
    RoutingSettingsFactory(tenant=tenant, mode="round_robin")
    clock.set(MONDAY)
    hand_off(tenant, people)
    sla_sweep(now=MONDAY + timedelta(hours=5))
    relay()
    assert [n.kind for n in of(people["rep"])] == ["lead_assigned", "sla_breached"]
    [boss] = of(people["manager"], kind="sla_breached")
    [admin] = of(people["admin"], kind="sla_breached")
    assert boss.title == "SLA breached: accept or reject Giulia Rossi (Officine Rossi)"
    assert "Owner: rep@acme.example." in boss.body
    assert admin.event_id == boss.event_id
    assert not of(people["marketer"])


def test_a_warning_at_80_percent_notifies_the_owner(tenant, people, relay, clock):
    SlaVersionFactory(tenant=tenant, active=True, accept_within_hours=10)
    RoutingSettingsFactory(tenant=tenant, mode="round_robin")
    clock.set(MONDAY)
    hand_off(tenant, people)
    sla_sweep(now=MONDAY + timedelta(hours=8, minutes=1))
    relay()
    [warning] = of(people["rep"], kind="sla_warning")
    assert warning.title.startswith("SLA deadline close: accept or reject Giulia Rossi")
    assert (warning.in_app, warning.email) == (True, False)
    assert not of(people["manager"], kind="sla_warning")


def test_a_cold_lead_notifies_its_owner(tenant, people, relay):
    SlaVersionFactory(tenant=tenant, active=True, cold_after_days={"sql": 3})
    LeadFactory(tenant=tenant, stage=Stage.SQL, owner=people["rep"], accepted_at=MONDAY,
                stage_changed_at=MONDAY, first_name="Ada", last_name="Cold")  # fmt: skip
    cold_leads_sweep(now=MONDAY + timedelta(days=4))
    relay()
    [cold] = of(people["rep"], kind="lead_cold")
    assert cold.title == "Lead gone cold: Ada Cold"
    assert "No activity for 3 days" in cold.body


def test_a_disabled_webhook_endpoint_notifies_the_admins(tenant, people, relay):
    endpoint = WebhookEndpointFactory(tenant=tenant, url="https://hooks.example/in")
    with tenant_scope(tenant):
        endpoint_disable_failing(endpoint_id=endpoint.pk, reason="HTTP 500 for 24 hours")
    relay()
    [note] = of(people["admin"])
    assert note.kind == "webhook_disabled"
    assert note.title == "Webhook endpoint disabled: https://hooks.example/in"
    assert note.url == f"/t/acme/settings/webhooks/{endpoint.pk}/"
    assert "HTTP 500 for 24 hours" in note.body
    assert not of(people["manager"])


def test_an_action_item_due_notifies_its_assignee(tenant, people, relay):
    with tenant_scope(tenant):
        publish("meeting.action_item_due", tenant=tenant.pk, data={
            "id": 5, "title": "Send the new persona to sales", "due_on": "2027-03-25",
            "meeting": 3, "assignee": {"id": people["marketer"].pk, "email": "mara@acme.example"},
        })  # fmt: skip
    relay()
    [note] = of(people["marketer"])
    assert (note.kind, note.url) == ("action_item_due", "/t/acme/meetings/3/")
    assert note.title == "Action item due: Send the new persona to sales"


def test_people_who_chose_none_get_nothing_and_email_only_stays_out_of_the_bell(
    tenant, people, relay
):
    rep = people["rep"]
    rep.notification_preferences = {"lead_assigned": "email"}
    rep.save(update_fields=["notification_preferences"])
    manager = people["manager"]
    manager.notification_preferences = {"sla_breached": "none"}
    manager.save(update_fields=["notification_preferences"])
    with tenant_scope(tenant):
        publish("lead.assigned", tenant=tenant.pk,
                data={"id": 1, "email": "x@x.example", "owner": {"id": rep.pk}})  # fmt: skip
        publish("sla.breached", tenant=tenant.pk,
                data={"lead": 1, "kind": "accept", "notify": [{"id": manager.pk}]})  # fmt: skip
    relay()
    [note] = of(rep)
    assert (note.in_app, note.email) == (False, True)
    assert not of(manager)


def test_nobody_outside_the_tenant_is_notified(tenant, other_tenant, member, relay):
    stranger = member(other_tenant, Role.SALES_REP)
    with tenant_scope(tenant):
        publish("lead.assigned", tenant=tenant.pk,
                data={"id": 1, "email": "x@x.example", "owner": {"id": stranger.pk}})  # fmt: skip
    relay()
    assert not Notification.all_tenants.exists()


def test_deadlines_in_notifications_read_in_the_tenants_time_not_utc(tenant, people, relay):
    manager = people["manager"]
    with tenant_scope(tenant):  # the tenant keeps Europe/Rome: 14:00 UTC is 15:00 there
        publish("sla.breached", tenant=tenant.pk,
                data={"lead": 1, "kind": "accept", "due_at": "2027-03-22T14:00:00+00:00",
                      "notify": [{"id": manager.pk}]})  # fmt: skip
    relay()
    [note] = of(manager)
    assert "was due 22 Mar 2027, 15:00 CET." in note.body
