"""What alignment meetings' events tell people (registered in `MeetingsConfig.ready`)."""

from __future__ import annotations

from smarketing.notifications.builders import (
    Batch,
    Draft,
    people,
    person_id,
    register_builder,
)
from smarketing.notifications.kinds import Channel, register_kind

ACTION_ITEM_DUE = register_kind(
    "action_item_due", "An action item of mine is due", default_channel=Channel.BOTH
)


def action_item_due(tenant_id: int, data: dict, batch: Batch) -> list[Draft]:
    """An alignment meeting's action item: to its assignee (or owner, or the listed people)."""
    recipients = people([data.get("assignee") or data.get("owner")]) or people(data.get("notify"))
    title = data.get("title") or data.get("text") or "an action item"
    due = data.get("due_on") or batch.when(tenant_id, data.get("due_at"))
    meeting = data.get("meeting")
    meeting_id = person_id(meeting) if isinstance(meeting, dict) else meeting
    url = batch.page(tenant_id, f"meetings/{meeting_id}/" if meeting_id else "meetings/")
    return [
        Draft(uid, ACTION_ITEM_DUE, f"Action item due: {title}"[:200],
              f"{title} is due{f' on {due}' if due else ''}.", url)
        for uid in recipients
    ]  # fmt: skip


def register() -> None:
    register_builder("meeting.action_item_due", action_item_due)
