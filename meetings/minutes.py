"""The minutes of a meeting as Markdown: what was on the agenda, the notes, the decisions and
the action items. Written from the live record while the meeting is open (marked as a
draft), and frozen into `Meeting.minutes` when it is closed."""

from __future__ import annotations

from django.utils import timezone

from meetings import selectors
from meetings.models import Meeting, MeetingStatus
from meetings.schedule import zone_of

DASH = "\u2013"  # an en dash between the ends of a range
DRAFT_MARK = "> **Draft**: the meeting is not closed yet; these minutes change until it is."


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def minutes_markdown(meeting: Meeting, *, closing_at=None) -> str:
    """The minutes as they stand; with `closing_at`, the final text written at closing."""
    zone = zone_of(meeting.zone_name())
    start = timezone.localtime(meeting.scheduled_at, zone)
    end = timezone.localtime(meeting.ends_at, zone)
    attendees = [
        a.user.email for a in meeting.attendance.select_related("user").order_by("user__email")
    ]
    lines = [f"# Minutes: {_one_line(meeting.title)}", ""]
    if closing_at is None and meeting.status != MeetingStatus.CLOSED:
        lines += [DRAFT_MARK, ""]
    lines += [
        f"- When: {start:%A %d %B %Y, %H:%M}{DASH}{end:%H:%M} ({meeting.zone_name()})",
        f"- Kind: {meeting.get_kind_display()}",
        f"- Numbers of: {meeting.period_start:%d %b %Y} {DASH} {meeting.period_end:%d %b %Y}",
        f"- Attendees: {', '.join(attendees) if attendees else 'none listed'}",
    ]
    if closing_at is not None:
        lines.append(f"- Closed: {timezone.localtime(closing_at, zone):%d %B %Y, %H:%M}")
    lines += ["", "## Agenda", ""]
    items = list(selectors.agenda_items(meeting=meeting))
    lines += [f"{n}. **{_one_line(item.title)}** — {_one_line(item.body)}"
              for n, item in enumerate(items, start=1)] or ["No agenda generated."]  # fmt: skip
    lines += ["", "## Notes", "", meeting.notes.strip() or "No notes."]
    lines += ["", "## Decisions", ""]
    decisions = list(selectors.decisions(meeting=meeting).order_by("id"))
    lines += [
        f"{n}. {_one_line(d.text)} ({d.decided_by.email if d.decided_by else 'a former member'}, "
        f"{timezone.localtime(d.created_at, zone):%d %b %Y})"
        for n, d in enumerate(decisions, start=1)
    ] or ["No decisions recorded."]
    lines += ["", "## Action items", ""]
    action_items = list(selectors.action_items(meeting=meeting).order_by("due_on", "id"))
    lines += [
        f"- [{'x' if item.status == 'done' else ' '}] {_one_line(item.title)} — "
        f"{item.owner.email if item.owner else 'a former member'}, due {item.due_on:%d %b %Y}"
        for item in action_items
    ] or ["No action items."]
    if meeting.proposed_sla_version_id:
        version = meeting.proposed_sla_version
        name = _one_line(version.name)
        lines += ["", "## SLA change proposed", "",
                  f"Draft version {version.number} “{name}” ({version.status})."]  # fmt: skip
    return "\n".join(lines) + "\n"


def minutes_of(meeting: Meeting) -> str:
    """What `minutes.md` serves: the frozen text once closed, else the live draft."""
    if meeting.status == MeetingStatus.CLOSED and meeting.minutes:
        return meeting.minutes
    return minutes_markdown(meeting)
