"""The Celery application: JSON only, late acks, one beat schedule.

Every task must be safe to run twice: with `acks_late` a task whose worker died is delivered
again, so tasks use conditional updates and unique constraints instead of trusting delivery.
"""

import os

from celery import Celery
from kombu import Queue

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "smarketing.settings")

app = Celery("smarketing")
app.config_from_object("django.conf:settings", namespace="CELERY")

# Long ETAs are never used: a message held past the visibility timeout is delivered twice.
VISIBILITY_TIMEOUT_SECONDS = 3600
DEFAULT_QUEUE = "celery"
LONG_JOBS_QUEUE = "long_jobs"

app.conf.update(
    task_serializer="json",
    result_serializer="json",
    accept_content=["json"],
    task_acks_late=True,
    task_reject_on_worker_lost=True,
    task_acks_on_failure_or_timeout=True,
    worker_prefetch_multiplier=1,
    task_soft_time_limit=300,
    task_time_limit=360,
    task_ignore_result=True,
    broker_connection_retry_on_startup=True,
    broker_transport_options={
        **(app.conf.broker_transport_options or {}),
        "visibility_timeout": VISIBILITY_TIMEOUT_SECONDS,
    },
    timezone="UTC",
    enable_utc=True,
    beat_scheduler="django_celery_beat.schedulers:DatabaseScheduler",
    # Long jobs (a CSV import runs for minutes) have their own queue, so they never wait
    # behind a burst of short tasks (a seed's e-mails, a relay backlog), nor hold them up.
    # A worker started without -Q consumes both: the queues are taken in turn.
    task_default_queue=DEFAULT_QUEUE,
    task_queues=(Queue(DEFAULT_QUEUE), Queue(LONG_JOBS_QUEUE)),
)

# The one place where periodic work is declared.
app.conf.beat_schedule = {
    "worker-heartbeat": {"task": "smarketing.heartbeat", "schedule": 30.0},
    # SLA deadlines: breaches and 80% warnings every minute; cold leads and reviews less often.
    "sla-sweep": {"task": "sla.sweep", "schedule": 60.0},
    "sla-cold-leads": {"task": "sla.cold_sweep", "schedule": 600.0},
    "sla-review-reminders": {"task": "sla.review_reminders", "schedule": 3600.0},
    # Compliance rollups: the days since the last run and days that late changes made dirty.
    "sla-compliance-rollups": {"task": "sla.compliance_rollups", "schedule": 300.0},
    # Yesterday's rejections to marketers who opted in, once the tenant's morning has come.
    # The funnel's daily rollup: each tenant's days closed since the last run.
    "leads-funnel-rollups": {"task": "leads.funnel_rollups", "schedule": 3600.0},
    "leads-rejections-digest": {"task": "leads.rejections_digest", "schedule": 900.0},
    # Idle leads' engagement scores fall; only leads with engagement left are read.
    "personas-decay-sweep": {"task": "personas.decay_sweep", "schedule": 3600.0},
    # Safety nets: each is also kicked when work appears; these catch lost kicks and retries.
    "outbox-relay": {"task": "events.outbox_relay", "schedule": 30.0},
    "webhooks-delivery-sweep": {"task": "webhooks.delivery_sweep", "schedule": 15.0},
    "notifications-email-sweep": {"task": "notifications.email_sweep", "schedule": 60.0},
    # Retention: outbox rows, delivery logs, idempotency answers and import files age out.
    "privacy-retention-sweep": {"task": "privacy.retention_sweep", "schedule": 3600.0},
    # Action items of alignment meetings whose due day has come: each announced once.
    "meetings-action-items-due": {"task": "meetings.action_items_due", "schedule": 3600.0},
    # Meetings of series and SLA reviews, created ahead (MEETINGS_PLAN_AHEAD_DAYS) and invited.
    "meetings-series-plan": {"task": "meetings.series_plan", "schedule": 3600.0},
    "meetings-sla-reviews-plan": {"task": "meetings.sla_reviews_plan", "schedule": 3600.0},
    "meetings-mail-sweep": {"task": "meetings.mail_sweep", "schedule": 300.0},
}

app.autodiscover_tasks()
app.conf.imports = ("smarketing.tasks",)

__all__ = ["app"]
