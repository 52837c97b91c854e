"""Periodic meeting work (scheduled in smarketing/celery.py). Thin: one service call."""

from celery import shared_task

from meetings import services


@shared_task(name="meetings.action_items_due")
def action_items_due() -> int:
    """Announce action items whose due day has come, each once, across tenants."""
    return services.action_items_due_announce()
