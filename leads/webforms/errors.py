"""How a form or a submission can be refused."""

from smarketing.errors import DomainError, InputConflict, InvalidInput


class InvalidForm(InvalidInput):
    """The form's configuration breaks a rule (a field it cannot ask, a bad origin)."""


class FormConflict(InputConflict, InvalidForm):
    """A configuration the tenant's rows refuse (a name another form has, a campaign not
    here): 409, shaped like `InvalidForm`."""


class InvalidSubmission(InvalidInput):
    """What a person typed: one message per field, shown beside it."""


class SubmissionRefused(DomainError):
    """Looks automated (honeypot filled, sent faster than a person types, or stale page)."""

    status = 400
    code = "submission_refused"
    title = "Submission refused"
