"""Project-wide tasks."""

from celery import shared_task
from django.core.cache import cache
from django.utils import timezone


@shared_task(name="smarketing.heartbeat")
def heartbeat() -> str:
    """Proves that beat, the broker and a worker work together; /healthz can show it."""
    now = timezone.now().isoformat()
    cache.set("smarketing:last-heartbeat", now, timeout=600)
    return now
