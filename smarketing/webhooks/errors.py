"""The ways a webhook operation can be refused, each with a stable code for the API."""

from smarketing.errors import Conflict, InvalidInput


class InvalidWebhook(InvalidInput):
    pass


class EndpointDisabled(Conflict):
    code = "endpoint_disabled"
    title = "The endpoint is disabled"


class PayloadErased(Conflict):
    code = "payload_erased"
    title = "The event's personal data was erased"
