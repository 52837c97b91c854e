"""Each place an erasure reaches, and what it must not do there."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client

from leads.imports.models import LeadImport
from leads.models import Lead, StageTransition
from leads.services import lead_erase
from smarketing.events.models import OutboxEvent
from smarketing.events.relay import outbox_relay
from smarketing.notifications.models import Notification
from smarketing.tenancy.actors import Actor
from smarketing.tenancy.roles import Role
from smarketing.tenancy.scope import cross_tenant_scope, tenant_scope
from smarketing.webhooks.models import DeliveryStatus, WebhookDelivery
from smarketing.webhooks.services import claim_due, deliveries_send_due
from tests.leads.factories import LeadFactory
from tests.notifications.factories import NotificationFactory
from tests.webhooks.factories import WebhookDeliveryFactory, WebhookEndpointFactory
from tests.webhooks.receiver import Receiver

pytestmark = pytest.mark.django_db


@pytest.fixture
def lead(tenant):
    return LeadFactory(
        tenant=tenant, email="ada@prospect.example", first_name="Ada", last_name="Lovelace",
        company="Analytical Engines",
    )  # fmt: skip


@pytest.fixture
def receiver():
    running = Receiver().start()
    yield running
    running.stop()


def erase(lead):
    with tenant_scope(lead.tenant):
        return lead_erase(lead=lead, actor=Actor.system())


def delivery_of(lead, **fields):
    return WebhookDeliveryFactory(
        tenant=lead.tenant,
        event__data={"id": lead.pk, "email": lead.email, "first_name": lead.first_name},
        **fields,
    )


def test_outbox_payloads_about_the_lead_are_redacted_and_marked_erased(lead):
    about = delivery_of(lead).event
    other = WebhookDeliveryFactory(
        tenant=lead.tenant, event__data={"id": lead.pk + 1, "email": "grace@prospect.example"}
    ).event
    erase(lead)
    about.refresh_from_db()
    assert about.data == {"id": lead.pk, "email": f"erased-{lead.pk}@erased.invalid",
                          "first_name": ""}  # fmt: skip
    assert about.erased_at is not None
    other.refresh_from_db()
    assert other.erased_at is None and "@prospect.example" in other.data["email"]


def test_redelivering_an_erased_payload_is_refused_with_a_clear_error(lead, api_client_for):
    delivery = delivery_of(lead, status=DeliveryStatus.SUCCEEDED, next_attempt_at=None)
    erase(lead)
    admin = api_client_for(lead.tenant, Role.ADMIN)
    url = f"/api/v1/webhooks/{delivery.endpoint_id}/deliveries/{delivery.pk}/redeliver/"
    response = admin.post(url)
    assert response.status_code == 409
    assert response["Content-Type"].startswith("application/problem+json")
    assert response.json()["code"] == "payload_erased"
    assert WebhookDelivery.all_tenants.get(pk=delivery.pk).status == DeliveryStatus.SUCCEEDED


def test_pending_deliveries_of_an_erased_lead_are_never_sent(lead, receiver):
    endpoint = WebhookEndpointFactory(tenant=lead.tenant, url=receiver.url)
    delivery = delivery_of(lead, endpoint=endpoint)
    erase(lead)
    with cross_tenant_scope():
        deliveries_send_due(budget_seconds=5)
    assert receiver.received == []
    assert WebhookDelivery.all_tenants.get(pk=delivery.pk).status == DeliveryStatus.FAILED


def test_the_sender_skips_a_pending_delivery_whose_event_was_erased(lead):
    delivery = delivery_of(lead)
    OutboxEvent.all_tenants.filter(pk=delivery.event_id).update(erased_at=delivery.created_at)
    with cross_tenant_scope():
        assert claim_due() == []


def test_an_idempotent_replay_after_erasure_holds_no_personal_data(tenant, api_client_for):
    client = api_client_for(tenant, Role.ADMIN)
    body = {"email": "ada@prospect.example", "first_name": "Ada", "custom_fields": {"x": "y1"}}
    first = client.post("/api/v1/leads/", body, HTTP_IDEMPOTENCY_KEY="k")
    client.post(f"/api/v1/leads/{first.json()['id']}/erase/")
    replay = client.post("/api/v1/leads/", body, HTTP_IDEMPOTENCY_KEY="k")
    assert replay["Idempotent-Replayed"] == "true"
    assert replay.status_code == 201
    answer = replay.json()
    assert answer["email"].endswith("@erased.invalid")
    assert (answer["first_name"], answer["custom_fields"]) == ("", {})
    assert Lead.all_tenants.count() == 1  # the replay did not bring the person back


def test_notifications_about_the_lead_lose_the_name_and_others_keep_theirs(lead):
    mine = NotificationFactory(
        tenant=lead.tenant, url=f"/t/{lead.tenant.slug}/leads/{lead.pk}/",
        title="SLA breached: accept or reject Ada Lovelace (Analytical Engines)",
        body="Accept or reject Ada Lovelace (Analytical Engines) was due 1 Dec.",
        email_error="SMTPRecipientsRefused: [Acme] SLA breached: ... Ada Lovelace",
    )  # fmt: skip
    theirs = NotificationFactory(
        tenant=lead.tenant, url=f"/t/{lead.tenant.slug}/leads/{lead.pk + 1}/",
        title="Lead routed to you: Ada Byron",
    )  # fmt: skip
    erase(lead)
    mine.refresh_from_db()
    assert mine.title == "SLA breached: accept or reject [erased] ([erased])"
    assert "Ada" not in mine.body and "Lovelace" not in mine.body
    assert mine.email_error == "SMTPRecipientsRefused: [Acme] SLA breached: ... [erased]"
    theirs.refresh_from_db()
    assert theirs.title == "Lead routed to you: Ada Byron"


def test_import_files_are_rewritten_and_the_old_ones_deleted_on_commit(
    tenant, api_client_for, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    csv = (
        b"Email,First Name,Company Size\n"
        b"ada@prospect.example,Ada,50\n"
        b"ada@prospect.example,Ada,lots\n"
        b"grace@example.com,Grace,lots\n"
    )
    with django_capture_on_commit_callbacks(execute=True):
        api_client_for(tenant, Role.MARKETER).post(
            "/api/v1/imports/",
            {"file": SimpleUploadedFile("leads.csv", csv, content_type="text/csv")},
            format="multipart",
        )
    before = LeadImport.all_tenants.get()
    old_files = [Path(before.file.path), Path(before.error_report.path)]
    lead = Lead.all_tenants.get(email="ada@prospect.example")
    with django_capture_on_commit_callbacks(execute=True):
        erase(lead)
    after = LeadImport.all_tenants.get()
    assert not any(path.exists() for path in old_files)
    upload = after.file.open("rb").read().decode("utf-8-sig")
    assert upload.splitlines() == [
        "Email,First Name,Company Size",
        f"erased-{lead.pk}@erased.invalid,,",
        f"erased-{lead.pk}@erased.invalid,,",
        "grace@example.com,Grace,lots",
    ]
    report = after.error_report.open("rb").read().decode("utf-8-sig").splitlines()
    assert report[1].startswith(f"erased-{lead.pk}@erased.invalid,,")
    assert report[2].startswith("grace@example.com,Grace,lots,")
    assert [row["email"] for row in after.failure_sample] == [
        f"erased-{lead.pk}@erased.invalid", "grace@example.com",
    ]  # fmt: skip
    assert (after.created, after.failed) == (before.created, before.failed)  # counts stay


def test_an_erasure_rolled_back_keeps_the_import_files(
    tenant, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    lead = LeadFactory(tenant=tenant, email="ada@prospect.example")
    with tenant_scope(tenant):
        row = LeadImport.objects.create(tenant=tenant, original_filename="a.csv", status="done")
        row.file.save("a.csv", SimpleUploadedFile("a.csv", b"email\nada@prospect.example\n"))
    original = Path(row.file.path)

    def erase_then_fail():
        with transaction.atomic():
            erase(lead)
            raise RuntimeError("something after the erasure failed")

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        erase_then_fail()
    assert original.exists()
    assert LeadImport.all_tenants.get().file.name == row.file.name


def test_the_erasure_record_counts_what_was_rewritten_and_names_nobody(lead):
    delivery_of(lead)
    NotificationFactory(tenant=lead.tenant, url=f"/t/{lead.tenant.slug}/leads/{lead.pk}/",
                        title="Lead routed to you: Ada Lovelace")  # fmt: skip
    erase(lead)
    record = StageTransition.all_tenants.get(lead=lead, action="erase")
    assert record.note == (
        "Personal data erased on request. Rewritten: notifications: 1, outbox events: 1, "
        "webhook deliveries: 1."
    )
    assert record.actor_label == "system"
    assert Notification.all_tenants.get().title == "Lead routed to you: [erased]"


def test_an_event_erased_before_the_relay_gets_no_delivery(lead):
    WebhookEndpointFactory(tenant=lead.tenant, events=["lead.created"])
    event = OutboxEvent.all_tenants.create(
        tenant=lead.tenant, event_type="lead.created", data={"id": lead.pk, "email": lead.email}
    )
    erase(lead)
    with cross_tenant_scope():
        outbox_relay()
    assert OutboxEvent.all_tenants.get(pk=event.pk).relayed_at is not None
    assert not WebhookDelivery.all_tenants.filter(event_id=event.pk).exists()


def test_the_delivery_log_page_offers_no_redelivery_of_an_erased_payload(lead, member):
    delivery = delivery_of(lead, status=DeliveryStatus.SUCCEEDED, next_attempt_at=None)
    erase(lead)
    page = Client()
    page.force_login(member(lead.tenant, Role.ADMIN))
    log = page.get(f"/t/acme/settings/webhooks/{delivery.endpoint_id}/").content.decode()
    assert "Personal data erased" in log and "Redeliver" not in log
    url = f"/t/acme/settings/webhooks/{delivery.endpoint_id}/deliveries/{delivery.pk}/redeliver/"
    answer = page.post(url, follow=True).content.decode()
    assert "never sent again" in answer
    assert WebhookDelivery.all_tenants.get(pk=delivery.pk).status == DeliveryStatus.SUCCEEDED


def test_erasure_waits_for_an_import_that_holds_the_person(
    lead, api_client_for, settings, tmp_path
):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    with tenant_scope(lead.tenant):
        running = LeadImport.objects.create(
            tenant=lead.tenant, original_filename="a.csv", status="running"
        )
        running.file.save("a.csv", SimpleUploadedFile("a.csv", f"email\n{lead.email}\n".encode()))
    response = api_client_for(lead.tenant, Role.ADMIN).post(f"/api/v1/leads/{lead.pk}/erase/")
    assert response.status_code == 409
    assert response.json()["code"] == "import_in_progress"
    assert Lead.all_tenants.get(pk=lead.pk).erased_at is None
    LeadImport.all_tenants.filter(pk=running.pk).update(status="done")
    assert (
        api_client_for(lead.tenant, Role.ADMIN).post(f"/api/v1/leads/{lead.pk}/erase/").status_code
        == 200
    )


def test_events_about_the_lead_that_do_not_quote_the_address_are_marked_erased_too(lead):
    """They name the lead by id only, so only the lead app knows they are about the person."""
    by_id = OutboxEvent.all_tenants.create(
        tenant=lead.tenant, event_type="lead.stage_changed", data={"id": lead.pk, "to": "mql"}
    )
    by_lead = OutboxEvent.all_tenants.create(
        tenant=lead.tenant, event_type="sla.breached", data={"lead": lead.pk, "step": "accept"}
    )
    other = OutboxEvent.all_tenants.create(
        tenant=lead.tenant, event_type="lead.stage_changed", data={"id": lead.pk + 1}
    )
    erase(lead)
    assert OutboxEvent.all_tenants.get(pk=by_id.pk).erased_at is not None
    assert OutboxEvent.all_tenants.get(pk=by_lead.pk).erased_at is not None
    assert OutboxEvent.all_tenants.get(pk=other.pk).erased_at is None
    record = StageTransition.all_tenants.get(lead=lead, action="erase")
    assert record.note == "Personal data erased on request. Rewritten: outbox events: 2."
