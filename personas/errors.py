"""The ways a persona or scoring operation can be refused, each with a stable API code."""

from smarketing.api.errors import Conflict, DomainError, Forbidden


class InvalidPersonaData(DomainError):
    code = "invalid"
    title = "Invalid input"

    def __init__(self, errors: dict[str, list[str]]):
        field, messages = next(iter(errors.items()))
        super().__init__(f"{field}: {messages[0]}", extra={"errors": errors})
        self.errors = errors


class ApprovalRefused(Forbidden):
    code = "approval_not_allowed"
    title = "You may not approve this side"


class AlreadyApproved(Conflict):
    code = "already_approved"
    title = "This side approved this version already"


class StaleVersion(Conflict):
    code = "stale_version"
    title = "The persona changed meanwhile"


class NotApprovable(Conflict):
    code = "not_approvable"
    title = "This version cannot be approved"
