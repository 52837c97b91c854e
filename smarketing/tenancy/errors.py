"""How a team or settings change can be refused, each with a stable code for the API."""

from smarketing.errors import Conflict, Forbidden, InvalidInput


class InvalidSettings(InvalidInput):
    pass


class NotAdmin(Forbidden):
    code = "permission_denied"


class InvitationRefused(Conflict):
    code = "invitation_refused"
    title = "The invitation cannot be used"
