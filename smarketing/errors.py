"""The ways a rule of the domain says no: raised by services, caught by pages and the API.

Each kind has a stable `code` (what clients and tests match on) and a `title` in words. How
a refusal is answered over HTTP (403, 409, problem+json) is the API layer's business
(`smarketing.api.errors`); a page shows `detail` beside the form or as a message.
"""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """A rule of the domain said no."""

    code = "invalid"
    title = "The request breaks a rule"

    def __init__(
        self, detail: str, *, code: str | None = None, extra: dict[str, Any] | None = None
    ):
        super().__init__(detail)
        self.detail = detail
        if code:
            self.code = code
        self.extra = extra or {}


class InvalidInput(DomainError):
    """Field errors found by a service: `{field: [messages]}`."""

    code = "invalid"
    title = "Invalid input"

    def __init__(self, errors: dict[str, list[str]]):
        field, messages = next(iter(errors.items()))
        super().__init__(f"{field}: {messages[0]}", extra={"errors": errors})
        self.errors = errors


class Conflict(DomainError):
    """The request is fine, but the current state of things refuses it (try again later,
    or reload and decide again)."""

    code = "conflict"
    title = "Conflict with the current state"


class InputConflict(InvalidInput, Conflict):
    """Well-formed input that the tenant's current data refuses, by field: a name another row
    has, a reference to a row the tenant does not have (an owner who is no member, a reason
    code not defined, a campaign not here), an agreement signed or ended meanwhile.

    The body is shaped like `InvalidInput`'s (`{field: [messages]}`), and pages that catch
    an app's `Invalid...` error show it beside the field the same way (each app's conflict
    kind subclasses both); the API answers 409 rather than 400, since the same request can
    succeed once the data changes, and no schema can tell it in advance.
    """

    code = "conflict"
    title = "Conflicts with the current data"


def raise_field_errors(
    invalid: dict[str, list[str]],
    conflicts: dict[str, list[str]],
    *,
    invalid_kind: type[InvalidInput] = InvalidInput,
    conflict_kind: type[InputConflict] = InputConflict,
) -> None:
    """Raise the field errors a service collected: what is malformed first (400), since a
    request has to be well-formed before its conflicts with the data mean anything (409)."""
    if invalid:
        raise invalid_kind({**invalid})
    if conflicts:
        raise conflict_kind({**conflicts})


class Forbidden(DomainError):
    """The caller's role may not do this."""

    code = "permission_denied"
    title = "Not allowed for your role"
