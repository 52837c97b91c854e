"""Login lock-out (django-axes): whom failed logins are counted against, and from where.

Counted per account: the typed name is resolved to the account the login would sign into,
with the same lookup login uses (`get_by_natural_key`, a case-insensitive match done by the
database). PostgreSQL folds case with Unicode rules: capitals, a long s (U+017F) for "s" or a
dotless i (U+0131) for "i" all sign into the same account. Keyed on the typed text, each
spelling would get its own fresh guesses.

Counted per client address too (`AXES_LOCKOUT_PARAMETERS`): behind a reverse proxy every
login arrives from the proxy's address, so `client_ip` reads the address the trusted proxy
recorded (see docs/security.md, "Login lock-out").
"""

from __future__ import annotations

import ipaddress
import math

from axes.helpers import get_cool_off
from django.conf import settings
from django.contrib.auth import get_user_model
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def account_key(user) -> str:
    """The key of a known account: its e-mail as stored (lower-case)."""
    return user.email.lower()


def lockout_username(request, credentials: dict | None) -> str | None:
    """The key failed logins are counted under: the resolved account's e-mail when the name
    signs into exactly one account, else the typed name case-folded."""
    username = (credentials or {}).get("username") or request.POST.get("username")
    if not isinstance(username, str) or not username.strip():
        return None
    typed = username.strip()
    accounts = list(get_user_model()._default_manager.filter(email__iexact=typed)[:2])
    if len(accounts) == 1:
        return account_key(accounts[0])
    return typed.casefold()


def client_ip(request: HttpRequest) -> str | None:
    """The address of the person logging in.

    Served directly (`TRUSTED_PROXY_COUNT=0`): the socket's address. Behind N proxies that
    each append to `CLIENT_IP_HEADER`: the N-th entry from the right, which the outermost
    trusted proxy wrote. Entries further left came from the client and could be anything.
    """
    remote = request.META.get("REMOTE_ADDR")
    count = settings.TRUSTED_PROXY_COUNT
    if count <= 0:
        return remote
    hops = [hop.strip() for hop in request.META.get(settings.CLIENT_IP_HEADER, "").split(",")]
    hops = [hop for hop in hops if hop]
    if len(hops) < count:
        return remote
    try:
        return str(ipaddress.ip_address(hops[-count]))
    except ValueError:
        return remote


def lockout_response(request, original_response=None, credentials=None) -> HttpResponse:
    """The lock-out page: how long to wait, and the way out (resetting the password)."""
    cool_off = get_cool_off(request)
    minutes = math.ceil(cool_off.total_seconds() / 60) if cool_off else None
    return render(
        request,
        "registration/locked_out.html",
        {"minutes": minutes, "failure_limit": settings.AXES_FAILURE_LIMIT},
        status=429,
    )
