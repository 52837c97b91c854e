"""Action items: who does what by when, and the announcement when the day comes."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.utils import timezone
from django.utils.dateparse import parse_date

from meetings.models import ActionItem, ActionItemStatus, Meeting
from meetings.services import checks
from meetings.services.meetings import refuse_if_closed
from smarketing.events import publish_many
from smarketing.tenancy.actors import Actor
from smarketing.tenancy.scope import cross_tenant_scope, tenant_scope


@transaction.atomic
def action_item_create(
    *, meeting: Meeting, actor: Actor, title: str, owner_email: str, due_on: date
) -> ActionItem:
    """An action item for a member of the tenant, due on a day of the tenant's calendar."""
    refuse_if_closed(meeting)
    title = checks.clean_text(title, "title", max_length=300)
    checks.check_day(due_on, "due_on")
    (owner,) = checks.member_users(meeting.tenant, [owner_email], "owner")
    return ActionItem.objects.create(
        tenant_id=meeting.tenant_id, meeting=meeting, title=title, owner=owner, due_on=due_on,
        created_by=actor.user,
    )  # fmt: skip


@transaction.atomic
def action_item_update(*, item: ActionItem, actor: Actor, data: dict[str, Any]) -> ActionItem:
    """Mark done (or open again), rename, hand over or move the due date. A new due date is
    announced again when it arrives: it is a new promise."""
    changed = []
    if "title" in data:
        item.title = checks.clean_text(data["title"], "title", max_length=300)
        changed.append("title")
    if "owner" in data:
        (item.owner,) = checks.member_users(item.meeting.tenant, [data["owner"]], "owner")
        changed.append("owner")
    if "due_on" in data and data["due_on"] != item.due_on:
        checks.check_day(data["due_on"], "due_on")
        item.due_on, item.due_notified_at = data["due_on"], None
        changed += ["due_on", "due_notified_at"]
    if "status" in data and data["status"] != item.status:
        item.status = data["status"]
        item.done_at = timezone.now() if item.status == ActionItemStatus.DONE else None
        changed += ["status", "done_at"]
    if changed:
        item.save(update_fields=changed)
    return item


# --- action items falling due ---------------------------------------------------------------

_TABLE = ActionItem._meta.db_table
_CLAIM_SQL = (
    f"UPDATE {_TABLE} SET due_notified_at = %s "
    "WHERE tenant_id = %s AND status = 'open' AND due_notified_at IS NULL AND due_on <= %s "
    "RETURNING id, title, owner_id, due_on, meeting_id"
)


def _claim_due(*, tenant_id: int, today: date, now: datetime) -> list[dict[str, Any]]:
    """Mark the tenant's due, unannounced items announced; returns what this call marked.

    One conditional UPDATE: of two sweeps racing, the second finds the rows taken (on
    PostgreSQL it waits for the first's row locks, then re-checks `due_notified_at`).
    """
    ops = connection.ops
    with connection.cursor() as cursor:
        cursor.execute(
            _CLAIM_SQL,
            [ops.adapt_datetimefield_value(now), tenant_id, ops.adapt_datefield_value(today)],
        )
        rows = cursor.fetchall()
    return [
        {"id": item_id, "title": title, "owner_id": owner_id, "meeting_id": meeting_id,
         "due_on": due_on if isinstance(due_on, date) else parse_date(due_on)}
        for item_id, title, owner_id, due_on, meeting_id in sorted(rows)
    ]  # fmt: skip


def action_items_due_announce(*, now: datetime | None = None) -> int:
    """Publish `meeting.action_item_due` once per open item whose due day has come in its
    tenant's timezone, across tenants. Returns how many items this run announced."""
    now = now or timezone.now()
    # No tenant's calendar is ahead of UTC+14: later due days cannot have come anywhere.
    horizon = (now + timedelta(hours=14)).date()
    with cross_tenant_scope():
        tenants = list(
            ActionItem.all_tenants.filter(
                status=ActionItemStatus.OPEN, due_notified_at__isnull=True, due_on__lte=horizon
            )
            .values_list("tenant_id", "tenant__timezone")
            .distinct()
            .order_by("tenant_id")
        )
    announced = 0
    for tenant_id, tz_name in tenants:
        today = now.astimezone(ZoneInfo(tz_name or "UTC")).date()
        with tenant_scope(tenant_id), transaction.atomic():
            rows = _claim_due(tenant_id=tenant_id, today=today, now=now)
            if not rows:
                continue
            owners = {
                pk: {"id": pk, "email": email}
                for pk, email in get_user_model()
                .objects.filter(pk__in={row["owner_id"] for row in rows})
                .values_list("pk", "email")
            }
            publish_many("meeting.action_item_due", tenant=tenant_id, items=[
                {"id": row["id"], "title": row["title"], "owner": owners.get(row["owner_id"]),
                 "due_on": row["due_on"].isoformat(), "meeting": row["meeting_id"]}
                for row in rows
            ])  # fmt: skip
            announced += len(rows)
    return announced
