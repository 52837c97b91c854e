"""The ways a persona or scoring operation can be refused, each with a stable API code."""

from smarketing.errors import Conflict, Forbidden, InputConflict, InvalidInput


class InvalidPersonaData(InvalidInput):
    pass


class PersonaDataConflict(InputConflict, InvalidPersonaData):
    """A persona version the persona does not have: 409, shaped like `InvalidPersonaData`."""


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
