"""Retention: what is kept only for a while is pruned by one periodic sweep."""

from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from leads.imports.models import LeadImport
from smarketing.api.models import IdempotencyRecord
from smarketing.celery import app
from smarketing.events.models import OutboxEvent
from smarketing.privacy.tasks import retention_sweep_task
from smarketing.webhooks.models import DeliveryStatus, WebhookDelivery
from tests.leads.factories import LeadImportFactory
from tests.webhooks.factories import OutboxEventFactory, WebhookDeliveryFactory

pytestmark = pytest.mark.django_db

NOW = timezone.now()


def aged(queryset, **fields):
    """Backdate rows (their timestamps are set on insert)."""
    queryset.update(**fields)


def idempotency_record(tenant, hours_old: float, key: str):
    record = IdempotencyRecord.all_tenants.create(
        tenant=tenant, scope="key:1", key=key, request_hash="h", response_status=201,
        response_body={"email": "ada@prospect.example"},
    )  # fmt: skip
    aged(
        IdempotencyRecord.all_tenants.filter(pk=record.pk),
        created_at=NOW - timedelta(hours=hours_old),
    )
    return record


def test_idempotency_records_are_kept_24_hours(tenant):
    idempotency_record(tenant, 25, "old")
    idempotency_record(tenant, 23, "recent")
    pruned = retention_sweep_task()
    assert pruned["idempotency_records"] == 1
    assert list(IdempotencyRecord.all_tenants.values_list("key", flat=True)) == ["recent"]


def test_the_idempotency_period_comes_from_settings(tenant, settings):
    settings.RETENTION_IDEMPOTENCY_HOURS = 1
    idempotency_record(tenant, 2, "old")
    retention_sweep_task()
    assert not IdempotencyRecord.all_tenants.exists()


def test_finished_deliveries_go_after_their_period_pending_ones_stay(tenant, settings):
    settings.RETENTION_WEBHOOK_DELIVERIES_DAYS = 30
    old_done = WebhookDeliveryFactory(tenant=tenant, status=DeliveryStatus.SUCCEEDED)
    old_failed = WebhookDeliveryFactory(tenant=tenant, status=DeliveryStatus.FAILED)
    old_pending = WebhookDeliveryFactory(tenant=tenant, status=DeliveryStatus.PENDING)
    recent = WebhookDeliveryFactory(tenant=tenant, status=DeliveryStatus.SUCCEEDED)
    aged(
        WebhookDelivery.all_tenants.exclude(pk=recent.pk),
        created_at=NOW - timedelta(days=31),
    )
    retention_sweep_task()
    left = set(WebhookDelivery.all_tenants.values_list("pk", flat=True))
    assert left == {old_pending.pk, recent.pk}
    assert not {old_done.pk, old_failed.pk} & left


def test_relayed_outbox_events_go_after_their_period_unless_a_delivery_needs_them(tenant, settings):
    settings.RETENTION_OUTBOX_DAYS = 7
    settings.RETENTION_WEBHOOK_DELIVERIES_DAYS = 30
    old = OutboxEventFactory(tenant=tenant)
    pending = OutboxEventFactory(tenant=tenant)  # never relayed: still to be sent
    recent = OutboxEventFactory(tenant=tenant)
    logged = WebhookDeliveryFactory(tenant=tenant, status=DeliveryStatus.SUCCEEDED).event
    aged(OutboxEvent.all_tenants.exclude(pk=pending.pk), relayed_at=NOW - timedelta(days=8))
    aged(OutboxEvent.all_tenants.filter(pk=recent.pk), relayed_at=NOW - timedelta(days=6))
    pruned = retention_sweep_task()
    assert pruned["outbox_events"] == 1
    assert set(OutboxEvent.all_tenants.values_list("pk", flat=True)) == {
        pending.pk, recent.pk, logged.pk,
    }  # fmt: skip
    assert old.pk not in set(OutboxEvent.all_tenants.values_list("pk", flat=True))


def test_an_event_goes_once_its_delivery_log_went(tenant, settings):
    settings.RETENTION_OUTBOX_DAYS = 7
    settings.RETENTION_WEBHOOK_DELIVERIES_DAYS = 30
    delivery = WebhookDeliveryFactory(tenant=tenant, status=DeliveryStatus.SUCCEEDED)
    aged(WebhookDelivery.all_tenants, created_at=NOW - timedelta(days=31))
    aged(OutboxEvent.all_tenants, relayed_at=NOW - timedelta(days=31))
    retention_sweep_task()
    assert not WebhookDelivery.all_tenants.filter(pk=delivery.pk).exists()
    assert not OutboxEvent.all_tenants.exists()


def test_old_import_files_are_deleted_and_the_counts_stay(tenant, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.RETENTION_IMPORT_FILES_DAYS = 30

    def an_import(status, days_old):
        row = LeadImportFactory(
            tenant=tenant, status=status, created=3, failed=1,
            file=ContentFile(b"email\nada@prospect.example\n", name="leads.csv"),
            failure_sample=[{"line": 2, "email": "ada@prospect.example", "reason": "x"}],
        )  # fmt: skip
        row.error_report.save("leads.csv", ContentFile(b"email,reason\n"), save=True)
        aged(
            LeadImport.all_tenants.filter(pk=row.pk),
            finished_at=NOW - timedelta(days=days_old),
        )
        return row

    old, recent, running = an_import("done", 31), an_import("done", 29), an_import("running", 40)
    old_files = [Path(old.file.path), Path(old.error_report.path)]
    pruned = retention_sweep_task()
    assert pruned["import_files"] == 1
    assert not any(path.exists() for path in old_files)
    old.refresh_from_db()
    assert (old.file.name, old.error_report.name, old.failure_sample) == ("", "", [])
    assert (old.created, old.failed) == (3, 1)
    for kept in (recent, running):
        kept.refresh_from_db()
        assert Path(kept.file.path).exists() and kept.failure_sample


def test_pruning_is_set_based_whatever_the_backlog(tenant, django_assert_max_num_queries):
    for n in range(30):
        idempotency_record(tenant, 48, f"k{n}")
    with django_assert_max_num_queries(12):
        assert retention_sweep_task()["idempotency_records"] == 30


def test_the_sweep_is_a_registered_task_that_beat_runs():
    entries = [e for e in app.conf.beat_schedule.values() if e["task"] == "privacy.retention_sweep"]
    assert len(entries) == 1 and entries[0]["schedule"] <= 24 * 3600
    assert "privacy.retention_sweep" in app.tasks
