"""Every write on meetings: plan and edit meetings, generate agendas, record decisions and
action items, and announce action items when they fall due."""

from meetings.services.action_items import (
    action_item_create,
    action_item_update,
    action_items_due_announce,
)
from meetings.services.meetings import (
    decision_record,
    meeting_agenda_ensure,
    meeting_agenda_generate,
    meeting_create,
    meeting_update,
)

__all__ = [
    "action_item_create",
    "action_item_update",
    "action_items_due_announce",
    "decision_record",
    "meeting_agenda_ensure",
    "meeting_agenda_generate",
    "meeting_create",
    "meeting_update",
]
