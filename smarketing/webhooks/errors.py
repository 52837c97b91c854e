"""The ways a webhook operation can be refused, each with a stable code for the API."""

from smarketing.api.errors import Conflict, DomainError


class InvalidWebhook(DomainError):
    code = "invalid"
    title = "Invalid input"

    def __init__(self, errors: dict[str, list[str]]):
        field, messages = next(iter(errors.items()))
        super().__init__(f"{field}: {messages[0]}", extra={"errors": errors})
        self.errors = errors


class EndpointDisabled(Conflict):
    code = "endpoint_disabled"
    title = "The endpoint is disabled"
