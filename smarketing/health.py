"""GET /healthz: the state of the database, the broker and the workers.

Who sees what: anyone gets the overall status (200 "ok" or 503 "unavailable"), which is all
an orchestrator's probe needs. The parts, worker names and error texts describe the inside
of the deployment, so only staff users and callers that present `HEALTHZ_TOKEN` as a bearer
token see them.

How long it takes: the whole answer fits in `BUDGET_SECONDS`, under the 1 s default timeout
of common probes. The worker ping stops at the first reply (one live worker is enough to say
"up") and is given only what is left of the budget.
"""

from __future__ import annotations

import hmac
import time

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache

from smarketing.celery import app

BUDGET_SECONDS = 0.5
BROKER_CONNECT_SECONDS = 0.3
MIN_PING_SECONDS = 0.05


def _database() -> dict:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return {"ok": True}
    except Exception as exc:  # any failure means "down"; the message says why
        return {"ok": False, "error": str(exc)[:200]}


def _broker() -> dict:
    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=BROKER_CONNECT_SECONDS)
        return {"ok": True}
    except Exception as exc:
        return {"ok": False, "error": str(exc)[:200]}


def _workers(*, timeout: float) -> dict:
    try:
        # limit=1: the broadcast returns as soon as one worker has answered.
        replies = app.control.ping(timeout=timeout, limit=1) or []
    except Exception as exc:
        return {"ok": False, "error": str(exc)[:200], "count": 0}
    names = sorted(name for reply in replies for name in reply)
    return {"ok": bool(names), "count": len(names), "names": names}


def may_see_detail(request: HttpRequest) -> bool:
    """Staff users, and callers presenting the configured token (monitoring)."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and user.is_staff:
        return True
    token = settings.HEALTHZ_TOKEN
    presented = request.headers.get("Authorization", "")
    return bool(token) and hmac.compare_digest(presented.encode(), f"Bearer {token}".encode())


def health_checks() -> dict[str, dict]:
    """The database, the broker and the workers, each `{"ok": bool, ...}`, within the budget.

    /healthz answers with them, and the admins' home shows them.
    """
    deadline = time.monotonic() + BUDGET_SECONDS
    checks = {"database": _database(), "broker": _broker()}
    if checks["broker"]["ok"]:
        left = max(MIN_PING_SECONDS, deadline - time.monotonic())
        checks["workers"] = _workers(timeout=left)
    else:
        checks["workers"] = {"ok": False, "count": 0}
    return checks


@never_cache
def healthz(request):
    checks = health_checks()
    healthy = all(check["ok"] for check in checks.values())
    body: dict = {"status": "ok" if healthy else "unavailable"}
    if may_see_detail(request):
        body.update(checks)
    return JsonResponse(body, status=200 if healthy else 503)
