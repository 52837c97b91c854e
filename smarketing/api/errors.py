"""Every API error as `application/problem+json` (RFC 9457).

Services raise `DomainError` subclasses (`smarketing.errors`) with a stable `code`; this
module is the one place that turns them, DRF's exceptions and Django's validation errors
into HTTP answers.
"""

import logging
from http import HTTPStatus
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from smarketing.errors import Conflict, DomainError, Forbidden

PROBLEM_CONTENT_TYPE = "application/problem+json"
PROBLEM_BASE = "https://smarketing.dev/problems/"


# The HTTP answer to each kind of refusal of a service: the first kind that matches wins.
# An error of the API layer itself may name its own `http_status`.
HTTP_STATUS: tuple[tuple[type[DomainError], int], ...] = (
    (Forbidden, 403),
    (Conflict, 409),
    (DomainError, 400),
)


def http_status(error: DomainError) -> int:
    own = getattr(error, "http_status", None)
    if own is not None:
        return own
    return next(status for kind, status in HTTP_STATUS if isinstance(error, kind))


def _field_errors(detail: Any) -> dict[str, list[str]]:
    if isinstance(detail, dict):
        errors: dict[str, list[str]] = {}
        for field, messages in detail.items():
            if isinstance(messages, dict):
                for sub, sub_messages in _field_errors(messages).items():
                    errors[f"{field}.{sub}"] = sub_messages
            elif isinstance(messages, list) and messages and isinstance(messages[0], dict):
                for index, item in enumerate(messages):
                    for sub, sub_messages in _field_errors(item).items():
                        errors[f"{field}[{index}].{sub}"] = sub_messages
            else:
                errors[str(field)] = [
                    str(m) for m in (messages if isinstance(messages, list) else [messages])
                ]
        return errors
    if isinstance(detail, list):
        return {"non_field_errors": [str(m) for m in detail]}
    return {}


def problem(
    status: int,
    *,
    code: str,
    detail: str,
    title: str | None = None,
    errors: dict[str, list[str]] | None = None,
    **extra: Any,
) -> Response:
    body = {
        "type": PROBLEM_BASE + code,
        "title": title or HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
        "code": code,
        "errors": errors or {},
        **extra,
    }
    return Response(body, status=status, content_type=PROBLEM_CONTENT_TYPE)


def too_large_detail() -> str:
    return (
        f"The body is larger than {settings.DATA_UPLOAD_MAX_MEMORY_SIZE:,} bytes; "
        "send fewer items per request."
    )


def problem_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    # Raised by Django while reading the body (DRF leaves them to Django's HTML pages).
    if isinstance(exc, RequestDataTooBig):
        return problem(413, code="request_too_large", detail=too_large_detail())
    if isinstance(exc, SuspiciousOperation):
        logging.getLogger(f"django.security.{type(exc).__name__}").warning("%s", exc)
        return problem(400, code="bad_request", detail="The request is malformed.")
    if isinstance(exc, DomainError):
        return problem(
            http_status(exc), code=exc.code, detail=exc.detail, title=exc.title, **exc.extra
        )
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        errors = _field_errors(exc.detail)
        first = next(iter(errors.items()), None)
        detail = f"{first[0]}: {first[1][0]}" if first else "The request is not valid."
        if first and first[0] == "non_field_errors":
            detail = first[1][0]
        result = problem(400, code="invalid", detail=detail, title="Invalid input", errors=errors)
    elif isinstance(exc, Http404 | exceptions.NotFound):
        result = problem(404, code="not_found", detail="Not found.")
    elif isinstance(exc, DjangoPermissionDenied):
        result = problem(403, code="permission_denied", detail="You may not do this.")
    else:
        detail = exc.detail if isinstance(exc, exceptions.APIException) else str(exc)
        code = exc.get_codes() if isinstance(exc, exceptions.APIException) else "error"
        result = problem(
            response.status_code,
            code=code if isinstance(code, str) else "error",
            detail=str(detail),
        )
    for header in ("WWW-Authenticate", "Retry-After", "Allow"):
        if header in response:
            result[header] = response[header]
    return result


def _problem_page(request, status: int, code: str, detail: str):
    from django.http import JsonResponse

    body = {"type": PROBLEM_BASE + code, "title": HTTPStatus(status).phrase, "status": status,
            "detail": detail, "code": code, "errors": {}}  # fmt: skip
    return JsonResponse(body, status=status, content_type=PROBLEM_CONTENT_TYPE)


def not_found_view(request, exception=None):
    """404 for URLs no route matches: problem+json under /api/, the usual page elsewhere."""
    if request.path.startswith("/api/"):
        return _problem_page(request, 404, "not_found", "Not found.")
    from django.views.defaults import page_not_found

    return page_not_found(request, exception)


def bad_request_view(request, exception=None):
    """400 outside DRF (a body too large or malformed before a view ran): problem+json under
    /api/, the usual page elsewhere."""
    if request.path.startswith("/api/"):
        if isinstance(exception, RequestDataTooBig):
            return _problem_page(request, 413, "request_too_large", too_large_detail())
        return _problem_page(request, 400, "bad_request", "The request is malformed.")
    from django.views.defaults import bad_request

    return bad_request(request, exception)


def server_error_view(request):
    """500 outside DRF's handler: problem+json under /api/, the usual page elsewhere."""
    if request.path.startswith("/api/"):
        return _problem_page(request, 500, "server_error", "Something broke on our side.")
    from django.views.defaults import server_error

    return server_error(request)
