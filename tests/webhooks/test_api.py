"""/api/v1/webhooks/: endpoints, secrets shown once, rotation, delivery log, redelivery."""

from datetime import timedelta

import pytest
from django.utils import timezone

from smarketing.errors import Forbidden
from smarketing.events import PUBLIC_EVENT_TYPES
from smarketing.events.models import OutboxEvent
from smarketing.tenancy.actors import Actor
from smarketing.tenancy.audit import REDACTED
from smarketing.tenancy.models import AuditEntry
from smarketing.tenancy.roles import Role
from smarketing.tenancy.scope import tenant_scope
from smarketing.webhooks import services
from smarketing.webhooks.errors import EndpointDisabled, InvalidWebhook, PayloadErased
from smarketing.webhooks.models import WebhookDelivery, WebhookEndpoint
from smarketing.webhooks.services import deliveries
from tests.webhooks.factories import WebhookDeliveryFactory, WebhookEndpointFactory
from tests.webhooks.receiver import Receiver

pytestmark = pytest.mark.django_db

NEW = {"url": "https://hooks.example.com/in", "events": ["lead.created", "sla.breached"]}


@pytest.fixture
def receiver():
    running = Receiver().start()
    yield running
    running.stop()


@pytest.fixture
def admin_api(tenant, api_client_for):
    return api_client_for(tenant, Role.ADMIN)


def test_an_admin_registers_an_endpoint_and_sees_its_secret_once(admin_api):
    created = admin_api.post("/api/v1/webhooks/", NEW, format="json")
    assert created.status_code == 201
    body = created.json()
    assert body["secret"].startswith("whsec_") and len(body["secret"]) > 40
    assert body["events"] == ["lead.created", "sla.breached"]
    assert body["enabled"] is True
    endpoint = WebhookEndpoint.all_tenants.get(pk=body["id"])
    assert endpoint.secret == body["secret"]
    assert "secret" not in admin_api.get(f"/api/v1/webhooks/{body['id']}/").json()
    listed = admin_api.get("/api/v1/webhooks/").json()["results"]
    assert [e["id"] for e in listed] == [body["id"]] and "secret" not in listed[0]


@pytest.mark.parametrize("role", [Role.MANAGER, Role.MARKETER, Role.SALES_REP, None])
def test_only_admins_manage_webhooks(tenant, api_client_for, role):
    client = api_client_for(tenant, role)
    assert client.get("/api/v1/webhooks/").status_code == 403
    assert client.post("/api/v1/webhooks/", NEW, format="json").status_code == 403


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({**NEW, "events": ["lead.assigned"]}, "events[0]"),
        ({**NEW, "events": []}, "events"),
        ({**NEW, "url": "not a url"}, "url"),
        ({"events": ["lead.created"]}, "url"),
    ],
)
def test_invalid_endpoints_are_refused_with_field_errors(admin_api, body, field):
    response = admin_api.post("/api/v1/webhooks/", body, format="json")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert any(key.startswith(field.split("[")[0]) for key in response.json()["errors"])


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://hooks.example.com/in", "https"),
        ("https://127.0.0.1/in", "127.0.0.1"),
        ("https://10.1.2.3/in", "10.1.2.3"),
        ("https://169.254.169.254/latest/meta-data", "169.254.169.254"),
        ("https://[::1]/in", "::1"),
        ("https://[::ffff:192.168.0.1]/in", "192.168.0.1"),
    ],
)
def test_http_and_private_addresses_are_refused_in_deployment(admin_api, settings, url, reason):
    settings.WEBHOOKS_ALLOW_PRIVATE = False
    settings.DEBUG = False
    response = admin_api.post("/api/v1/webhooks/", {**NEW, "url": url}, format="json")
    assert response.status_code == 400
    assert reason in response.json()["errors"]["url"][0]


def test_a_name_resolving_to_a_private_address_is_refused(admin_api, settings, monkeypatch):
    settings.WEBHOOKS_ALLOW_PRIVATE = False
    monkeypatch.setattr(
        "socket.getaddrinfo", lambda *a, **k: [(2, 1, 6, "", ("192.168.1.10", 443))]
    )
    response = admin_api.post("/api/v1/webhooks/", NEW, format="json")
    assert response.status_code == 400
    assert "192.168.1.10" in response.json()["detail"]


def test_a_public_address_is_accepted_in_deployment(admin_api, settings, monkeypatch):
    settings.WEBHOOKS_ALLOW_PRIVATE = False
    monkeypatch.setattr(
        "socket.getaddrinfo", lambda *a, **k: [(2, 1, 6, "", ("93.184.216.34", 443))]
    )
    assert admin_api.post("/api/v1/webhooks/", NEW, format="json").status_code == 201


def test_an_admin_changes_and_deletes_an_endpoint(tenant, admin_api):
    endpoint = WebhookEndpointFactory(tenant=tenant)
    changed = admin_api.patch(
        f"/api/v1/webhooks/{endpoint.pk}/",
        {"events": ["lead.accepted"], "enabled": False},
        format="json",
    )
    assert changed.status_code == 200
    assert changed.json()["events"] == ["lead.accepted"]
    assert changed.json()["enabled"] is False and changed.json()["disabled_reason"]
    assert admin_api.delete(f"/api/v1/webhooks/{endpoint.pk}/").status_code == 204
    assert not WebhookEndpoint.all_tenants.filter(pk=endpoint.pk).exists()


def test_rotation_shows_the_new_secret_once_and_keeps_the_old_one_signing(tenant, admin_api):
    endpoint = WebhookEndpointFactory(tenant=tenant)
    old = endpoint.secret
    response = admin_api.post(f"/api/v1/webhooks/{endpoint.pk}/rotate-secret/", {}, format="json")
    assert response.status_code == 200
    body = response.json()
    assert body["secret"] != old
    endpoint.refresh_from_db()
    assert endpoint.previous_secret == old
    hours = (endpoint.previous_secret_expires_at - timezone.now()).total_seconds() / 3600
    assert 23.9 < hours <= 24
    assert endpoint.signing_secrets(timezone.now()) == [body["secret"], old]


def test_re_enabling_resumes_the_deliveries_left_pending(tenant, admin_api):
    endpoint = WebhookEndpointFactory(tenant=tenant, enabled=False)
    later = timezone.now() + timezone.timedelta(hours=5)
    delivery = WebhookDeliveryFactory(
        tenant=tenant, endpoint=endpoint, next_attempt_at=later, give_up_at=timezone.now()
    )
    admin_api.patch(f"/api/v1/webhooks/{endpoint.pk}/", {"enabled": True}, format="json")
    delivery = WebhookDelivery.all_tenants.get(pk=delivery.pk)
    assert delivery.next_attempt_at <= timezone.now()
    assert delivery.give_up_at > timezone.now() + timezone.timedelta(hours=23)


def test_the_delivery_log_lists_attempts_newest_first(tenant, admin_api):
    endpoint = WebhookEndpointFactory(tenant=tenant)
    first = WebhookDeliveryFactory(tenant=tenant, endpoint=endpoint)
    second = WebhookDeliveryFactory(
        tenant=tenant, endpoint=endpoint, attempts=2, response_status=500, response_excerpt="oops"
    )
    WebhookDeliveryFactory(tenant=tenant)  # another endpoint's
    response = admin_api.get(f"/api/v1/webhooks/{endpoint.pk}/deliveries/")
    assert response.status_code == 200
    rows = response.json()["results"]
    assert [r["id"] for r in rows] == [second.pk, first.pk]
    assert set(rows[0]) >= {
        "id",
        "event_id",
        "event_type",
        "status",
        "attempts",
        "response_status",
        "last_attempt_at",
        "next_attempt_at",
    }
    assert (rows[0]["attempts"], rows[0]["response_status"]) == (2, 500)
    assert rows[0]["event_id"] == str(second.event_id)


def test_redelivery_sends_the_event_again(
    tenant, admin_api, receiver, django_capture_on_commit_callbacks
):
    endpoint = WebhookEndpointFactory(tenant=tenant, url=receiver.url)
    delivery = WebhookDeliveryFactory(
        tenant=tenant, endpoint=endpoint, status="failed", next_attempt_at=None, attempts=9
    )
    url = f"/api/v1/webhooks/{endpoint.pk}/deliveries/{delivery.pk}/redeliver/"
    with django_capture_on_commit_callbacks(execute=True):  # the sweep it kicks runs eagerly
        response = admin_api.post(url, format="json")

    assert response.status_code == 202
    assert response.json()["status"] == "pending" and response.json()["attempts"] == 9
    assert receiver.ids() == [str(delivery.event_id)]
    sent = WebhookDelivery.all_tenants.get(pk=delivery.pk)
    assert (sent.status, sent.attempts, sent.response_status) == ("succeeded", 10, 200)


def test_redelivery_to_a_disabled_endpoint_is_a_conflict(tenant, admin_api):
    endpoint = WebhookEndpointFactory(tenant=tenant, enabled=False)
    delivery = WebhookDeliveryFactory(tenant=tenant, endpoint=endpoint, status="failed")
    url = f"/api/v1/webhooks/{endpoint.pk}/deliveries/{delivery.pk}/redeliver/"
    response = admin_api.post(url, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "endpoint_disabled"


def test_a_delivery_of_another_endpoint_or_tenant_is_not_found(tenant, other_tenant, admin_api):
    endpoint = WebhookEndpointFactory(tenant=tenant)
    elsewhere = WebhookDeliveryFactory(tenant=tenant)
    foreign = WebhookDeliveryFactory(tenant=other_tenant)
    for delivery in (elsewhere, foreign):
        url = f"/api/v1/webhooks/{endpoint.pk}/deliveries/{delivery.pk}/redeliver/"
        assert admin_api.post(url, format="json").status_code == 404
    url = f"/api/v1/webhooks/{foreign.endpoint_id}/deliveries/{foreign.pk}/redeliver/"
    assert admin_api.post(url, format="json").status_code == 404


# --- The endpoint rules, as every caller meets them ----------------------------------------


def admin_actor(tenant, member):
    return Actor.member(member(tenant, Role.ADMIN), Role.ADMIN)


def test_a_member_who_is_not_an_admin_is_refused_by_the_service_with_their_role(tenant, member):
    manager = Actor.member(member(tenant, Role.MANAGER), Role.MANAGER)
    with tenant_scope(tenant), pytest.raises(Forbidden) as refused:
        services.endpoint_create(tenant=tenant, actor=manager, **NEW)
    assert refused.value.detail == "Your role (manager) may not manage webhooks."


def test_the_system_manages_endpoints_without_a_role(tenant):
    with tenant_scope(tenant):
        endpoint = services.endpoint_create(tenant=tenant, actor=Actor.system(), **NEW)
    assert endpoint.events == NEW["events"]


LONGEST = "https://hooks.example.com/" + "x" * (500 - len("https://hooks.example.com/"))
INVALID = {
    "no URL": ({"url": None}, {"url": ["Give the URL that receives the events."]}),
    "a blank URL": ({"url": "   "}, {"url": ["Give the URL that receives the events."]}),
    "a URL too long": ({"url": LONGEST + "x"}, {"url": ["At most 500 characters."]}),
    "no events": ({"events": []}, {"events": ["Subscribe to at least one event type."]}),
    "events not a list": (
        {"events": "lead.created"},
        {"events": ["Subscribe to at least one event type."]},
    ),
    "an event for people only": (
        {"events": ["lead.created", "lead.assigned"]},
        {"events": [f"Unknown event type 'lead.assigned'; use {', '.join(PUBLIC_EVENT_TYPES)}."]},
    ),
}


@pytest.mark.parametrize(("change", "errors"), INVALID.values(), ids=INVALID.keys())
def test_each_invalid_change_is_refused_with_its_field_and_reason(tenant, member, change, errors):
    endpoint = WebhookEndpointFactory(tenant=tenant)
    with tenant_scope(tenant), pytest.raises(InvalidWebhook) as refused:
        services.endpoint_update(endpoint=endpoint, actor=admin_actor(tenant, member), data=change)
    assert refused.value.errors == errors


def test_a_url_of_the_longest_length_is_kept_without_its_surrounding_blanks(tenant, member):
    endpoint = WebhookEndpointFactory(tenant=tenant)
    with tenant_scope(tenant):
        services.endpoint_update(
            endpoint=endpoint, actor=admin_actor(tenant, member), data={"url": f"  {LONGEST} "}
        )
    endpoint.refresh_from_db()
    assert endpoint.url == LONGEST


def test_re_enabling_resumes_only_that_endpoints_pending_deliveries(tenant, member):
    endpoint = WebhookEndpointFactory(tenant=tenant, enabled=False)
    later = timezone.now() + timezone.timedelta(hours=5)
    pending = WebhookDeliveryFactory(
        tenant=tenant, endpoint=endpoint, next_attempt_at=later, failures=6, attempts=6
    )
    failed = WebhookDeliveryFactory(
        tenant=tenant, endpoint=endpoint, status="failed", next_attempt_at=None, failures=9
    )
    elsewhere = WebhookDeliveryFactory(tenant=tenant, next_attempt_at=later, failures=2)
    with tenant_scope(tenant):
        services.endpoint_update(
            endpoint=endpoint, actor=admin_actor(tenant, member), data={"enabled": True}
        )
    pending = WebhookDelivery.all_tenants.get(pk=pending.pk)
    assert (pending.failures, pending.attempts) == (0, 6)
    failed = WebhookDelivery.all_tenants.get(pk=failed.pk)
    assert (failed.status, failed.failures, failed.next_attempt_at) == ("failed", 9, None)
    elsewhere = WebhookDelivery.all_tenants.get(pk=elsewhere.pk)
    assert (elsewhere.failures, elsewhere.next_attempt_at) == (2, later)


def test_an_endpoint_is_disabled_for_failing_once_and_alone(tenant):
    failing = WebhookEndpointFactory(tenant=tenant, url="https://hooks.example.com/failing")
    healthy = WebhookEndpointFactory(tenant=tenant)  # newer: first in the default order
    reason = "Deliveries failed for 24 hours; last answer: " + "x" * 400
    with tenant_scope(tenant):
        assert services.endpoint_disable_failing(endpoint_id=failing.pk, reason=reason) is True
        assert services.endpoint_disable_failing(endpoint_id=failing.pk, reason=reason) is False
        assert services.endpoint_disable_failing(endpoint_id=-1, reason=reason) is False
    failing.refresh_from_db()
    healthy.refresh_from_db()
    assert (failing.enabled, failing.disabled_reason) == (False, reason[:300])
    assert healthy.enabled is True
    [notice] = OutboxEvent.all_tenants.filter(event_type="webhook.endpoint_disabled")
    assert (notice.tenant_id, notice.data) == (
        tenant.pk,
        {"id": failing.pk, "url": "https://hooks.example.com/failing", "reason": reason},
    )


# --- What each change writes to the audit log, and the limits of a rotation -----------------


def _audit(tenant, prefix: str = "webhook.") -> list:
    with tenant_scope(tenant):
        return list(AuditEntry.objects.filter(action__startswith=prefix).order_by("id"))


def test_a_new_endpoint_is_enabled_unless_told_and_its_creation_is_audited(tenant, member):
    actor = admin_actor(tenant, member)
    with tenant_scope(tenant):
        endpoint = services.endpoint_create(tenant=tenant, actor=actor, **NEW)
        paused = services.endpoint_create(tenant=tenant, actor=actor, **NEW, enabled=False)
    stored = WebhookEndpoint.all_tenants.get(pk=endpoint.pk)
    assert (stored.tenant_id, stored.url, stored.events, stored.enabled) == (
        tenant.pk,
        NEW["url"],
        NEW["events"],
        True,
    )
    assert WebhookEndpoint.all_tenants.get(pk=paused.pk).enabled is False
    created, created_paused = _audit(tenant)
    assert (created.action, created.target_type, created.target_id, created.actor_label) == (
        "webhook.created",
        "webhookendpoint",
        str(endpoint.pk),
        actor.label,
    )
    assert created.changes == {"url": NEW["url"], "events": NEW["events"], "enabled": True}
    assert created_paused.changes["enabled"] is False


def test_a_change_is_audited_field_by_field_and_a_disabling_says_who(tenant, member):
    actor = admin_actor(tenant, member)
    endpoint = WebhookEndpointFactory(
        tenant=tenant, url="https://hooks.example.com/old", events=["lead.created"]
    )
    with tenant_scope(tenant):
        services.endpoint_update(
            endpoint=endpoint,
            actor=actor,
            data={
                "url": "https://hooks.example.com/new",
                "events": ["sla.breached", "lead.created"],
                "enabled": False,
            },
        )
    stored = WebhookEndpoint.all_tenants.get(pk=endpoint.pk)
    assert (stored.url, stored.events, stored.enabled, stored.disabled_reason) == (
        "https://hooks.example.com/new",
        ["lead.created", "sla.breached"],
        False,
        f"Disabled by {actor.label}.",
    )
    (changed,) = _audit(tenant)
    assert (changed.action, changed.target_id, changed.actor_label) == (
        "webhook.changed",
        str(endpoint.pk),
        actor.label,
    )
    assert changed.changes == {
        "url": ["https://hooks.example.com/old", "https://hooks.example.com/new"],
        "events": [["lead.created"], ["lead.created", "sla.breached"]],
        "enabled": [True, False],
    }
    with tenant_scope(tenant):
        services.endpoint_update(endpoint=stored, actor=actor, data={"enabled": True})
    stored = WebhookEndpoint.all_tenants.get(pk=endpoint.pk)
    assert (stored.enabled, stored.disabled_reason) == (True, "")
    assert _audit(tenant)[-1].changes == {"enabled": [False, True]}


def test_a_change_to_nothing_writes_nothing(tenant, member):
    endpoint = WebhookEndpointFactory(tenant=tenant, enabled=False, disabled_reason="Failing.")
    actor = admin_actor(tenant, member)
    with tenant_scope(tenant):
        for data in ({}, {"enabled": False}, {"enabled": 0}):
            services.endpoint_update(endpoint=endpoint, actor=actor, data=data)
    stored = WebhookEndpoint.all_tenants.get(pk=endpoint.pk)
    assert (stored.enabled, stored.disabled_reason) == (False, "Failing.")
    assert _audit(tenant) == []


def test_a_deletion_is_audited_with_the_address_it_had(tenant, member):
    actor = admin_actor(tenant, member)
    endpoint = WebhookEndpointFactory(tenant=tenant, url="https://hooks.example.com/gone")
    pk = endpoint.pk
    WebhookDeliveryFactory(tenant=tenant, endpoint=endpoint)
    with tenant_scope(tenant):
        services.endpoint_delete(endpoint=endpoint, actor=actor)
    assert not WebhookEndpoint.all_tenants.filter(pk=pk).exists()
    assert not WebhookDelivery.all_tenants.filter(endpoint_id=pk).exists()
    (deleted,) = _audit(tenant)
    assert (deleted.action, deleted.target_id, deleted.target_label, deleted.changes) == (
        "webhook.deleted",
        str(pk),
        "https://hooks.example.com/gone",
        {"url": "https://hooks.example.com/gone"},
    )


@pytest.mark.parametrize(
    "overlap",
    [timedelta(hours=168, seconds=1), timedelta(seconds=-1), timedelta(days=-7)],
    ids=["a second over a week", "a second before now", "negative"],
)
def test_a_rotation_overlap_outside_zero_to_a_week_is_refused(tenant, member, overlap):
    endpoint = WebhookEndpointFactory(tenant=tenant)
    with tenant_scope(tenant), pytest.raises(InvalidWebhook) as refused:
        services.endpoint_rotate_secret(
            endpoint=endpoint, actor=admin_actor(tenant, member), overlap=overlap
        )
    assert refused.value.errors == {"overlap_hours": ["Between 0 and 168 hours."]}
    assert WebhookEndpoint.all_tenants.get(pk=endpoint.pk).secret == endpoint.secret
    assert _audit(tenant) == []


def test_a_rotation_keeps_the_old_secret_signing_for_up_to_a_week(tenant, member, clock):
    now = clock.set(timezone.now())
    endpoint = WebhookEndpointFactory(tenant=tenant)
    old = endpoint.secret
    actor = admin_actor(tenant, member)
    with tenant_scope(tenant):
        rotated = services.endpoint_rotate_secret(
            endpoint=endpoint, actor=actor, overlap=timedelta(days=7)
        )
    stored = WebhookEndpoint.all_tenants.get(pk=endpoint.pk)
    assert stored.secret == rotated.secret != old and stored.secret.startswith("whsec_")
    assert (stored.previous_secret, stored.previous_secret_expires_at) == (
        old,
        now + timedelta(days=7),
    )
    (entry,) = _audit(tenant)
    assert (entry.action, entry.target_id, entry.actor_label) == (
        "webhook.secret_rotated",
        str(endpoint.pk),
        actor.label,
    )
    assert entry.changes == {"secret": REDACTED, "overlap_hours": 168.0}
    assert old not in str(entry.changes) and stored.secret not in str(entry.changes)


def test_a_rotation_by_default_overlaps_a_day_and_without_overlap_drops_the_old_secret(
    tenant, member, clock
):
    now = clock.set(timezone.now())
    endpoint = WebhookEndpointFactory(tenant=tenant)
    actor = admin_actor(tenant, member)
    with tenant_scope(tenant):
        services.endpoint_rotate_secret(endpoint=endpoint, actor=actor)
    stored = WebhookEndpoint.all_tenants.get(pk=endpoint.pk)
    assert stored.previous_secret_expires_at == now + timedelta(hours=24)
    with tenant_scope(tenant):
        services.endpoint_rotate_secret(endpoint=stored, actor=actor, overlap=timedelta(0))
    stored = WebhookEndpoint.all_tenants.get(pk=endpoint.pk)
    assert (stored.previous_secret, stored.previous_secret_expires_at) == ("", None)
    assert stored.signing_secrets(now) == [stored.secret]
    assert [e.changes["overlap_hours"] for e in _audit(tenant)] == [24.0, 0.0]


# --- Redelivery, as the service does it ------------------------------------------------------


def test_a_redelivery_is_due_now_with_a_fresh_window_and_keeps_its_attempts(
    tenant, member, clock, django_capture_on_commit_callbacks
):
    now = clock.set(timezone.now())
    delivery = WebhookDeliveryFactory(
        tenant=tenant,
        status="succeeded",
        next_attempt_at=None,
        delivered_at=now - timedelta(days=2),
        give_up_at=now - timedelta(days=1),
        attempts=4,
        failures=3,
    )
    with tenant_scope(tenant), django_capture_on_commit_callbacks() as callbacks:
        again = services.delivery_redeliver(delivery=delivery, actor=admin_actor(tenant, member))
    stored = WebhookDelivery.all_tenants.get(pk=delivery.pk)
    for row in (again, stored):
        assert (row.status, row.next_attempt_at, row.give_up_at) == (
            "pending",
            now,
            now + timedelta(hours=24),
        )
        assert (row.failures, row.attempts, row.delivered_at) == (0, 4, None)
    assert deliveries._kick_sweep in callbacks


def test_a_redelivery_that_cannot_be_sent_says_why_and_changes_nothing(tenant, member):
    actor = admin_actor(tenant, member)
    disabled = WebhookDeliveryFactory(
        tenant=tenant, endpoint__enabled=False, status="failed", next_attempt_at=None
    )
    erased = WebhookDeliveryFactory(
        tenant=tenant, event__erased_at=timezone.now(), status="failed", next_attempt_at=None
    )
    with tenant_scope(tenant):
        with pytest.raises(EndpointDisabled) as off:
            services.delivery_redeliver(delivery=disabled, actor=actor)
        with pytest.raises(PayloadErased) as gone:
            services.delivery_redeliver(delivery=erased, actor=actor)
    assert off.value.detail == "Enable the endpoint first: a disabled endpoint receives nothing."
    assert gone.value.detail == (
        "This event held personal data that was erased on request, so it is never sent "
        "again. Receivers were told what changed by later events."
    )
    for delivery in (disabled, erased):
        stored = WebhookDelivery.all_tenants.get(pk=delivery.pk)
        assert (stored.status, stored.next_attempt_at) == ("failed", None)


def test_a_change_writes_only_its_fields_over_what_changed_meanwhile(tenant, member):
    endpoint = WebhookEndpointFactory(tenant=tenant, url="https://hooks.example.com/old")
    # Read by the page before a rotation and the failing sweep got to the row.
    WebhookEndpoint.all_tenants.filter(pk=endpoint.pk).update(
        secret="whsec_rotated", enabled=False, disabled_reason="Deliveries failed for 24 hours."
    )
    with tenant_scope(tenant):
        services.endpoint_update(
            endpoint=endpoint,
            actor=admin_actor(tenant, member),
            data={"url": "https://hooks.example.com/new"},
        )
    stored = WebhookEndpoint.all_tenants.get(pk=endpoint.pk)
    assert (stored.url, stored.secret, stored.enabled, stored.disabled_reason) == (
        "https://hooks.example.com/new",
        "whsec_rotated",
        False,
        "Deliveries failed for 24 hours.",
    )
