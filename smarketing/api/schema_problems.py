"""Documents the problem+json answers every operation can give (a drf-spectacular hook).

Views declare their success answers; the errors come from shared machinery (authentication,
capabilities, validation, tenancy's 404, idempotency, throttling), so they are added here for
every operation at once instead of on each view.
"""

from __future__ import annotations

PROBLEM = "application/problem+json"

PROBLEM_SCHEMA = {
    "type": "object",
    "description": "An error (RFC 9457).",
    "properties": {
        "type": {"type": "string", "format": "uri"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "code": {"type": "string", "description": "Stable, for programs to branch on."},
        "errors": {
            "type": "object",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
            "description": "Messages by field.",
        },
    },
    "required": ["type", "title", "status", "detail", "code", "errors"],
}

ALWAYS = {
    "400": "Invalid input (query parameters or body).",
    "401": "No or an invalid API key.",
    "403": "Your role may not do this.",
    "404": "No such object in your tenant.",
    "405": "The method is not allowed here.",
    "406": "The Accept header asks for a format this operation does not give.",
    "429": "Too many requests: wait for the seconds in `Retry-After`.",
}
UNSAFE = {
    "409": "Well-formed, but refused by the tenant's current data: a name another record "
    "has, a reference to something the tenant does not have (an owner who is no member, a "
    "rejection reason not defined, a campaign or lead not here), a state that changed "
    "meanwhile. The `code` says which; `errors` names the fields, as for a 400.",
    "413": "The body is larger than the server accepts.",
    "415": "The body's Content-Type is not accepted.",
    "422": "The Idempotency-Key was used with another request.",
}
RETRY_AFTER = {"Retry-After": {"schema": {"type": "integer"}, "description": "Seconds to wait."}}


def problem_responses(result, generator, request, public):
    """Add the shared problem+json answers to every operation of the schema."""
    components = result.setdefault("components", {}).setdefault("schemas", {})
    components["Problem"] = PROBLEM_SCHEMA
    content = {PROBLEM: {"schema": {"$ref": "#/components/schemas/Problem"}}}
    for path_item in result.get("paths", {}).values():
        for method, operation in path_item.items():
            codes = dict(ALWAYS)
            if method in {"post", "put", "patch", "delete"}:
                codes.update(UNSAFE)
            responses = operation.setdefault("responses", {})
            for code, response in responses.items():
                # An error a view declares (by its description) is a problem+json too.
                if code[0] in "45" and "content" not in response:
                    response["content"] = content
            for code, description in codes.items():
                if code in responses:
                    continue
                responses[code] = {"description": description, "content": content}
                if code == "429":
                    responses[code]["headers"] = RETRY_AFTER
    return result
