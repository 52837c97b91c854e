"""The ways a lead operation can be refused, each with a stable code for the API."""

from smarketing.errors import Conflict, Forbidden, InputConflict, InvalidInput


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


class InvalidLeadData(InvalidInput):
    pass


class LeadDataConflict(InputConflict, InvalidLeadData):
    """Lead data the tenant's current rows refuse (another lead's address, an owner who is
    no sales member here, a campaign name taken): 409, shaped like `InvalidLeadData`."""


class ImportInProgress(Conflict):
    code = "import_in_progress"
    title = "An import holding this person is still running"
