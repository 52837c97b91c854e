"""Background work on leads: thin tasks that take ids and call one service."""

from celery import shared_task

from leads.digest.services import rejection_digests_send
from leads.imports.models import ImportStatus, LeadImport
from leads.imports.services import lead_import_process
from smarketing.tenancy.scope import cross_tenant_scope, tenant_scope


# Longer than the default: a 50 MB file is several hundred thousand rows.
@shared_task(name="leads.lead_import_run", queue="long_jobs", soft_time_limit=1800, time_limit=1900)
def lead_import_run(import_id: int) -> None:
    """Run one uploaded CSV import. Safe to deliver twice: the service claims the import."""
    with cross_tenant_scope():
        tenant_id = (
            LeadImport.all_tenants.filter(pk=import_id)
            .exclude(status__in=[ImportStatus.DONE, ImportStatus.FAILED])
            .values_list("tenant_id", flat=True)
            .first()
        )
    if tenant_id is None:
        return
    with tenant_scope(tenant_id):
        lead_import = LeadImport.objects.select_related("tenant", "created_by").get(pk=import_id)
        lead_import_process(lead_import=lead_import)


@shared_task(name="leads.rejections_digest")
def rejections_digest() -> int:
    """Yesterday's rejections, once per tenant, to those who opted in to the digest."""
    return rejection_digests_send()


@shared_task(name="leads.funnel_rollups")
def funnel_rollups() -> dict:
    """Roll up every tenant's closed days of the funnel (safe to run twice: see the service)."""
    from leads.funnel.rollups import funnel_rollups_sweep

    return funnel_rollups_sweep()
