"""The rules that keep robots out of a public form, asked by the service and the view.

- a honeypot field, hidden from people: a filled one is a robot;
- on the hosted page, a signed timestamp of when the page was served: a submission faster
  than a person can fill the form, or from a page older than a day, is refused;
- rate limits per address and per form, metered by the same GCRA meter as the API;
- a size limit on the body.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.core import signing

from smarketing.api.throttling import Meter, parse_rate

HONEYPOT_FIELD = "website"
FILL_TOKEN_FIELD = "_ts"
MAX_BODY_BYTES = 16 * 1024
MAX_PAGE_AGE_SECONDS = 24 * 3600
_SALT = "webforms.fill-token"


def min_fill_seconds() -> float:
    return float(getattr(settings, "WEBFORM_MIN_FILL_SECONDS", 3))


def fill_token(form_key: str) -> str:
    """Served with the hosted page: when it was served, signed for this form."""
    return signing.dumps({"k": form_key, "t": time.time()}, salt=_SALT)


def fill_token_problem(token: str, *, form_key: str, now: float | None = None) -> str | None:
    """Why this token does not show a person filling the form, or None when it does."""
    now = time.time() if now is None else now
    try:
        payload = signing.loads(token or "", salt=_SALT)
    except signing.BadSignature:
        return "Please reload the page and send the form again."
    if not isinstance(payload, dict) or payload.get("k") != form_key:
        return "Please reload the page and send the form again."
    elapsed = now - float(payload.get("t", 0))
    if elapsed > MAX_PAGE_AGE_SECONDS:
        return "This page is too old: please reload it and send the form again."
    if elapsed < min_fill_seconds():
        return "That was faster than a person can fill the form: please try again."
    return None


def honeypot_filled(data: dict) -> bool:
    return bool(str(data.get(HONEYPOT_FIELD) or "").strip())


def submission_meters(*, form_key: str, address: str | None) -> list[Meter]:
    """The limits of one submission: its address's and its form's."""
    rates = getattr(settings, "WEBFORM_RATES", {})
    meters = []
    per_address = parse_rate(rates.get("address", "20/min"))
    per_form = parse_rate(rates.get("form", "600/min"))
    if per_address and address:
        meters.append(Meter.of(f"webform:address:{address}", per_address))
    if per_form:
        meters.append(Meter.of(f"webform:form:{form_key}", per_form))
    return meters
