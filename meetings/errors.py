"""The ways a meeting operation can be refused, each with a stable API code."""

from smarketing.errors import Conflict, InvalidInput


class InvalidMeetingData(InvalidInput):
    pass


class MeetingHeld(Conflict):
    code = "meeting_held"
    title = "The meeting was held"
