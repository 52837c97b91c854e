"""Meeting work in the background (periodic runs scheduled in smarketing/celery.py). Thin:
each task calls one service, in the tenant's scope when it names one; all are safe twice."""

from celery import shared_task

from meetings import services
from smarketing.tenancy.scope import tenant_scope


@shared_task(name="meetings.action_items_due")
def action_items_due() -> int:
    """Announce action items whose due day has come, each once, across tenants."""
    return services.action_items_due_announce()


@shared_task(name="meetings.series_plan")
def series_plan() -> int:
    """Create the meetings of every series due within the planning horizon."""
    return services.series_plan_due()


@shared_task(name="meetings.sla_reviews_plan")
def sla_reviews_plan() -> int:
    """Plan the review meeting of each active SLA version as its review date nears."""
    return services.sla_reviews_plan()


@shared_task(name="meetings.invitations_send", autoretry_for=(OSError,), retry_backoff=30,
             max_retries=5)  # fmt: skip
def invitations_send(meeting_id: int, tenant_id: int) -> int:
    with tenant_scope(tenant_id):
        return services.meeting_invitations_send(meeting_id=meeting_id)


@shared_task(name="meetings.invitation_withdraw", autoretry_for=(OSError,), retry_backoff=30,
             max_retries=5)  # fmt: skip
def invitation_withdraw(meeting_id: int, tenant_id: int, emails: list[str]) -> int:
    with tenant_scope(tenant_id):
        return services.meeting_invitation_withdraw(meeting_id=meeting_id, emails=emails)


@shared_task(name="meetings.minutes_send", autoretry_for=(OSError,), retry_backoff=30,
             max_retries=5)  # fmt: skip
def minutes_send(meeting_id: int, tenant_id: int) -> int:
    with tenant_scope(tenant_id):
        return services.meeting_minutes_send(meeting_id=meeting_id)


@shared_task(name="meetings.mail_sweep")
def mail_sweep() -> int:
    """Invitations and minutes that a lost task or an away mail server left unsent."""
    return services.meetings_mail_sweep()
