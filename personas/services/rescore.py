"""Re-scoring many leads: a tenant's after an approval or a settings change, and the
scheduled decay of everyone's engagement.

Both walk the leads in keyset batches (`id > last`, by id), each batch one transaction, so
the work is resumable, shows progress, and never holds a lock for long.
"""

from __future__ import annotations

import time
from collections import defaultdict
from typing import Any

from django.db import transaction
from django.db.models import F
from django.db.models.functions import Greatest
from django.utils import timezone

from leads.models import Lead
from personas.models import RescoreJob, RescoreStatus
from personas.services.score_store import (
    COLUMN,
    BackgroundWriter,
    relax_durability,
    scoring_rows,
)
from personas.services.scoring import (
    ScoringContext,
    event_points,
    leads_score,
    score_rows,
    scoring_context_for,
    settle,
)
from smarketing.tenancy.actors import Actor
from smarketing.tenancy.scope import cross_tenant_scope, tenant_scope

BATCH_SIZE = 2000
# A task hands over to a fresh one before Celery's time limit could cut a batch short.
TIME_BUDGET_SECONDS = 120.0
OPEN = (RescoreStatus.QUEUED, RescoreStatus.RUNNING)
# How a run of batches ended.
DONE, SUPERSEDED, PAUSED = "done", "superseded", "paused"
TENANT = COLUMN["tenant_id"]


def rescore_job_queue(
    *, tenant_id: int, reason: str, actor: Actor | None = None, recompute_engagement: bool = False
) -> RescoreJob:
    """Queue a re-score of all the tenant's leads once the caller's transaction commits.

    Open jobs are superseded (they would redo the same work with older settings); the new
    job keeps recounting engagement if a superseded one was going to.
    """
    from personas.tasks import rescore_job_run_task

    now = timezone.now()
    # `objects` reads the current tenant's rows only: the caller's scope is `tenant_id`'s.
    open_jobs = RescoreJob.objects.filter(status__in=OPEN)
    recompute_engagement = (
        recompute_engagement or open_jobs.filter(recompute_engagement=True).exists()
    )
    open_jobs.update(status=RescoreStatus.SUPERSEDED, finished_at=now)
    job = RescoreJob.objects.create(
        tenant_id=tenant_id,
        reason=reason[:200],
        recompute_engagement=recompute_engagement,
        requested_by=actor.user if actor else None,
        total=Lead.objects.count(),
    )
    transaction.on_commit(lambda: rescore_job_run_task.delay(tenant_id, job.pk))
    return job


def rescore_job_run(
    *, job_id: int, batch_size: int = BATCH_SIZE, time_budget: float = TIME_BUDGET_SECONDS
) -> tuple[RescoreJob | None, bool]:
    """Run (or resume) a job; returns (job, finished). Safe to run twice: the cursor and
    the progress move together in each batch's transaction, and a job that is no longer
    open is left alone. `finished` False means the time budget ran out first."""
    job = RescoreJob.objects.filter(pk=job_id).first()
    if job is None or not job.is_open:
        return job, True
    now = timezone.now()
    RescoreJob.objects.filter(pk=job.pk, status__in=OPEN).update(
        status=RescoreStatus.RUNNING, started_at=job.started_at or now
    )
    ctx = scoring_context_for(tenant_id=job.tenant_id)
    try:
        with BackgroundWriter() as writer:
            state = _run_batches(
                job=job, ctx=ctx, writer=writer, batch_size=batch_size,
                deadline=time.monotonic() + time_budget,
            )  # fmt: skip
    except Exception as exc:
        RescoreJob.objects.filter(pk=job.pk, status=RescoreStatus.RUNNING).update(
            status=RescoreStatus.FAILED, error=str(exc)[:2000], finished_at=timezone.now()
        )
        raise
    if state != DONE:
        job.refresh_from_db()
        return job, state == SUPERSEDED
    RescoreJob.objects.filter(pk=job.pk, status=RescoreStatus.RUNNING).update(
        status=RescoreStatus.DONE,
        finished_at=timezone.now(),
        total=Greatest("total", "done"),  # leads created while the job ran count too
    )
    job.refresh_from_db()
    return job, True


def _run_batches(
    *, job: RescoreJob, ctx: ScoringContext, writer: BackgroundWriter, batch_size: int,
    deadline: float,
) -> str:  # fmt: skip
    """Batches in a pipeline: while batch N is written, batch N+1 is scored.

    Each batch is one transaction: its scores, its `lead.scored` and the job's progress
    commit together. Returns DONE, SUPERSEDED or PAUSED (out of time).
    """

    def read(after: int) -> tuple[list[tuple], dict | None]:
        rows = scoring_rows(
            Lead.objects.filter(pk__gt=after),  # the job's tenant: the task's scope
            limit=batch_size,
            custom_fields=ctx.uses_custom_fields,
        )
        recount = job.recompute_engagement and rows
        return rows, event_points([r[0] for r in rows], ctx.engagement, timezone.now()) \
            if recount else None  # fmt: skip

    rows, recounted = read(job.last_lead_id)
    now = timezone.now()
    scored = score_rows(rows, ctx, now, recounted=recounted)
    while rows:
        following, recounted = read(rows[-1][0])
        with transaction.atomic():
            relax_durability()
            future = writer.start(scored)
            try:
                next_now = timezone.now()
                next_scored = score_rows(following, ctx, next_now, recounted=recounted)
            finally:
                written = future.result()  # the connection is ours again from here
            outcome = settle(
                tenant_id=job.tenant_id, ctx=ctx, now=now, pending=scored, written=written,
                recompute_engagement=job.recompute_engagement,
            )  # fmt: skip
            progressed = RescoreJob.objects.filter(pk=job.pk, status=RescoreStatus.RUNNING).update(
                done=F("done") + len(rows),
                changed=F("changed") + outcome.rescored,
                last_lead_id=rows[-1][0],
            )
        if not progressed:
            return SUPERSEDED
        rows, scored, now = following, next_scored, next_now
        # `>=` would do as well: the clock is never read at the deadline's exact value.
        out_of_time = time.monotonic() > deadline  # pragma: no mutate
        if rows and out_of_time:
            return PAUSED
    return DONE


def decay_sweep(*, batch_size: int = BATCH_SIZE) -> dict[str, Any]:
    """Decay the engagement of every lead that has some, across tenants; idle leads' scores
    fall. Only leads whose shown scores change are written (and announced)."""
    summary = {"leads": 0, "written": 0, "rescored": 0}
    contexts: dict[int, ScoringContext] = {}
    last_id = 0
    while True:
        with cross_tenant_scope():
            # Read before knowing whose personas judge custom fields: read them for all.
            rows = scoring_rows(
                Lead.all_tenants.filter(engagement_raw__gt=0, pk__gt=last_id), limit=batch_size,
                custom_fields=True,
            )  # fmt: skip
        if not rows:
            break
        last_id = rows[-1][0]
        by_tenant: dict[int, list[tuple]] = defaultdict(list)
        for row in rows:
            by_tenant[row[TENANT]].append(row)
        for tenant_id, group in by_tenant.items():
            with tenant_scope(tenant_id), transaction.atomic():
                relax_durability()
                if tenant_id not in contexts:
                    contexts[tenant_id] = scoring_context_for(tenant_id=tenant_id)
                outcome = leads_score(
                    tenant_id=tenant_id, rows=group, ctx=contexts[tenant_id], only_changed=True
                )
            summary["written"] += outcome.written
            summary["rescored"] += outcome.rescored
        summary["leads"] += len(rows)
    return {**summary, "tenants": len(contexts)}
