"""The ways a lead operation can be refused, each with a stable code for the API."""

from smarketing.api.errors import Conflict, DomainError, Forbidden


class IllegalTransition(Conflict):
    code = "illegal_transition"
    title = "This stage change is not allowed"


class StaleStage(Conflict):
    code = "stale_stage"
    title = "The lead changed meanwhile"


class AlreadyAccepted(Conflict):
    code = "already_accepted"
    title = "Someone accepted this lead already"


class NotAllowed(Forbidden):
    code = "permission_denied"


class InvalidLeadData(DomainError):
    code = "invalid"
    title = "Invalid input"

    def __init__(self, errors: dict[str, list[str]]):
        field, messages = next(iter(errors.items()))
        super().__init__(f"{field}: {messages[0]}", extra={"errors": errors})
        self.errors = errors
