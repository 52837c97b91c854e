"""Background scoring: thin tasks that take ids and call one service."""

from celery import shared_task

from personas import services
from smarketing.tenancy.scope import tenant_scope


@shared_task(name="personas.rescore_job_run", queue="long_jobs", acks_late=True)
def rescore_job_run_task(tenant_id: int, job_id: int) -> None:
    """Re-score a tenant's leads; resumes after the last finished batch if run again."""
    with tenant_scope(tenant_id):
        _, finished = services.rescore_job_run(job_id=job_id)
    if not finished:
        # Hand over to a fresh task: no single task comes near Celery's time limit.
        rescore_job_run_task.delay(tenant_id, job_id)


@shared_task(name="personas.decay_sweep", acks_late=True)
def decay_sweep_task() -> dict:
    """Scheduled: idle leads' engagement (and score) decays across all tenants."""
    return services.decay_sweep()
