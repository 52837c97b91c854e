"""Periodic SLA work (scheduled in smarketing/celery.py). Thin: each task calls one service.

All of them are safe to run twice or side by side: the services claim rows with conditional
updates, so a redelivered or duplicated task finds nothing left to do.
"""

import json
import logging

from celery import shared_task

from sla import services
from sla.services.breaches import BATCH_SIZE

logger = logging.getLogger(__name__)


@shared_task(name="sla.sweep")
def sla_sweep(batch_size: int = BATCH_SIZE, batch_pause_seconds: float = 0.0) -> dict:
    """Breach due obligations and warn at 80%; pace and close marketing's commitments."""
    counts = services.sla_sweep(batch_size=batch_size, batch_pause_seconds=batch_pause_seconds)
    shortfalls = services.marketing_shortfalls_sweep(pause_seconds=batch_pause_seconds)
    result = {**counts.as_dict(), **shortfalls.as_dict()}
    logger.info("sla.sweep %s", json.dumps(result))
    return result


@shared_task(name="sla.cold_sweep")
def cold_leads_sweep() -> dict:
    counts = services.cold_leads_sweep()
    logger.info("sla.cold_sweep %s", json.dumps(counts.as_dict()))
    return counts.as_dict()


@shared_task(name="sla.review_reminders")
def review_reminders() -> int:
    return services.sla_review_reminders_send()


@shared_task(name="sla.compliance_rollups")
def compliance_rollups() -> dict:
    """Roll up the days since the last run and the days late changes made dirty."""
    totals = services.compliance_rollups_sweep()
    logger.info("sla.compliance_rollups %s", json.dumps(totals))
    return totals
