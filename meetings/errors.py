"""The ways a meeting operation can be refused, each with a stable API code."""

from smarketing.api.errors import Conflict, DomainError


class InvalidMeetingData(DomainError):
    code = "invalid"
    title = "Invalid input"

    def __init__(self, errors: dict[str, list[str]]):
        field, messages = next(iter(errors.items()))
        super().__init__(f"{field}: {messages[0]}", extra={"errors": errors})
        self.errors = errors


class MeetingHeld(Conflict):
    code = "meeting_held"
    title = "The meeting was held"
