"""Retention, run by beat (hourly): safe to run twice or at once, deletes are idempotent."""

from celery import shared_task

from smarketing.privacy.retention import retention_sweep
from smarketing.tenancy.scope import cross_tenant_scope


@shared_task(name="privacy.retention_sweep")
def retention_sweep_task() -> dict:
    with cross_tenant_scope():
        return retention_sweep()
