"""Every write on meetings: plan and edit meetings and series, generate agendas, record
decisions and action items, close meetings with their minutes, invite attendees, run the
SLA review cycle, and announce action items when they fall due."""

from meetings.services.action_items import (
    action_item_create,
    action_item_update,
    action_items_due_announce,
)
from meetings.services.calendar import (
    meeting_invitation_withdraw,
    meeting_invitations_send,
    meeting_minutes_send,
    meetings_mail_sweep,
)
from meetings.services.closing import meeting_close
from meetings.services.feeds import calendar_feed_reset, calendar_feed_revoke
from meetings.services.meetings import (
    decision_record,
    meeting_agenda_ensure,
    meeting_agenda_generate,
    meeting_create,
    meeting_update,
)
from meetings.services.reviews import meeting_sla_change_propose, sla_reviews_plan
from meetings.services.series import series_create, series_plan_due, series_update

__all__ = [
    "action_item_create",
    "action_item_update",
    "action_items_due_announce",
    "calendar_feed_reset",
    "calendar_feed_revoke",
    "decision_record",
    "meeting_agenda_ensure",
    "meeting_agenda_generate",
    "meeting_close",
    "meeting_create",
    "meeting_invitation_withdraw",
    "meeting_invitations_send",
    "meeting_minutes_send",
    "meeting_sla_change_propose",
    "meeting_update",
    "meetings_mail_sweep",
    "series_create",
    "series_plan_due",
    "series_update",
    "sla_reviews_plan",
]
