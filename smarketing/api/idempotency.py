"""`Idempotency-Key` on POST: the same key and body get the first answer again.

The record is inserted at the start of the request, in the request's transaction. On
PostgreSQL a concurrent request with the same key blocks on the unique index until the
first commits, then replays its answer: duplicates racing each other create one lead.
"""

from __future__ import annotations

import hashlib

from django.db import IntegrityError, transaction
from rest_framework.response import Response

from smarketing.api.models import IdempotencyRecord
from smarketing.errors import Conflict, DomainError
from smarketing.tenancy.models import ApiKey

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 255


class IdempotencyKeyReused(DomainError):
    http_status = 422
    code = "idempotency_key_reused"
    title = "Idempotency-Key used with another request"


def fingerprint(request) -> str:
    digest = hashlib.sha256()
    digest.update(request.method.encode())
    digest.update(request.path.encode())
    if request.content_type.startswith("multipart/"):
        # An upload may be far larger than Django lets `body` hold in memory: hash the
        # parsed fields and the files chunk by chunk instead.
        for name, values in sorted(request.POST.lists()):
            digest.update(repr((name, values)).encode())
        for name, upload in sorted(request.FILES.items()):
            digest.update(repr((name, upload.name, upload.size)).encode())
            for chunk in upload.chunks():
                digest.update(chunk)
            upload.seek(0)
        return digest.hexdigest()
    digest.update(request._request.body)
    return digest.hexdigest()


def caller_scope(request) -> str:
    """Whose keys these are: the API key's, or the signed-in user's (a browser session)."""
    if isinstance(request.auth, ApiKey):
        return f"key:{request.auth.pk}"
    return f"user:{request.user.pk}"


def idempotency_begin(
    *, tenant, scope: str, key: str, request_hash: str
) -> IdempotencyRecord | Response:
    """Claim `key` of the caller `scope` for this request (its record), or return the first
    request's answer to give again (a replay: the caller answers with it and runs nothing).
    Keys of other callers of the tenant are never looked at."""
    if not key or len(key) > MAX_KEY_LENGTH:
        raise DomainError(f"{HEADER} must be 1 to {MAX_KEY_LENGTH} characters.", code="invalid")
    try:
        with transaction.atomic():
            return IdempotencyRecord.objects.create(
                tenant=tenant, scope=scope, key=key, request_hash=request_hash
            )
    except IntegrityError:
        first = IdempotencyRecord.objects.get(scope=scope, key=key)
    if first.request_hash != request_hash:
        raise IdempotencyKeyReused(
            f"This {HEADER} was used with a different request; use a new key for a new request."
        )
    if first.response_status is None:
        raise Conflict("A request with this Idempotency-Key is still being processed.")
    response = Response(first.response_body, status=first.response_status)
    response["Idempotent-Replayed"] = "true"
    return response


def idempotency_finish(*, record: IdempotencyRecord, response: Response) -> None:
    """Keep the answer; server errors are not kept, so the client may retry them."""
    if response.status_code >= 500:
        IdempotencyRecord.objects.filter(pk=record.pk).delete()
        return
    IdempotencyRecord.objects.filter(pk=record.pk).update(
        response_status=response.status_code, response_body=response.data
    )
