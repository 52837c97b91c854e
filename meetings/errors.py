"""The ways a meeting operation can be refused, each with a stable API code."""

from smarketing.errors import Conflict, Forbidden, InputConflict, InvalidInput


class InvalidMeetingData(InvalidInput):
    pass


class MeetingDataConflict(InputConflict, InvalidMeetingData):
    """Meeting data the tenant's current rows refuse (an attendee or owner who is no member
    here): 409, shaped like `InvalidMeetingData`."""


class MeetingHeld(Conflict):
    code = "meeting_held"
    title = "The meeting was held"


class MeetingClosed(Conflict):
    code = "meeting_closed"
    title = "The meeting was closed"


class MeetingCancelled(Conflict):
    code = "meeting_cancelled"
    title = "The meeting was cancelled"


class NotAReview(Conflict):
    code = "not_a_review"
    title = "The meeting is no SLA review"


class ProposalNotAllowed(Forbidden):
    pass
