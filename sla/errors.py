"""The ways an SLA operation can be refused, each with a stable code for the API."""

from smarketing.errors import Conflict, DomainError, Forbidden, InvalidInput


class NotADraft(Conflict):
    code = "not_a_draft"
    title = "Only a draft SLA version can change"


class NotSigned(Conflict):
    code = "not_signed"
    title = "The SLA version lacks a sign-off"


class AlreadySigned(Conflict):
    code = "already_signed"
    title = "This side has signed already"


class ActivationConflict(Conflict):
    code = "activation_conflict"
    title = "Another SLA version was activated meanwhile"


class SignNotAllowed(Forbidden):
    code = "permission_denied"


class InvalidSlaData(InvalidInput):
    pass


class NoSuchTeam(DomainError):
    """A team id the tenant does not have: like any object not in the tenant, a 404."""

    http_status = 404
    code = "not_found"
    title = "Not found"
