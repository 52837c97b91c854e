"""The public door: /f/<key>/, with no login. The form's key names the tenant.

An HTML post comes from the hosted page (then a redirect, or the page again with a message
beside each field); JSON comes from a page on one of the form's allowed origins (CORS).
"""

from __future__ import annotations

import json
import math
from urllib.parse import urlsplit

from django.http import HttpResponse, HttpResponseNotAllowed, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csrf import csrf_exempt

from leads.webforms import guard, services
from leads.webforms.errors import InvalidSubmission, SubmissionRefused
from leads.webforms.models import WebForm
from leads.webforms.presenters import hosted_fields
from leads.webforms.selectors import webform_by_key
from smarketing.accounts.lockout import client_ip
from smarketing.api.errors import PROBLEM_BASE, PROBLEM_CONTENT_TYPE
from smarketing.api.throttling import meters_wait
from smarketing.tenancy.scope import tenant_scope

# Answers to a browser's preflight may be cached this long (seconds).
PREFLIGHT_MAX_AGE = 600


def _problem(status: int, code: str, detail: str, errors=None, headers=None) -> JsonResponse:
    body = {"type": PROBLEM_BASE + code, "title": detail if status != 400 else "Invalid input",
            "status": status, "detail": detail, "code": code, "errors": errors or {}}  # fmt: skip
    response = JsonResponse(body, status=status, content_type=PROBLEM_CONTENT_TYPE)
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def _cors(response: HttpResponse, origin: str) -> HttpResponse:
    response["Access-Control-Allow-Origin"] = origin
    response["Vary"] = "Origin"
    return response


def _is_json(request) -> bool:
    return request.content_type == "application/json"


def _client_address(request) -> str | None:
    # Behind the trusted proxies, the address they report (as the login lock-out reads it).
    return client_ip(request) or None


def _hosted_page(request, form: WebForm, *, status: int = 200, values=None, errors=None,
                 refusal: str = "", token: str = "") -> HttpResponse:  # fmt: skip
    values = values or {}
    page_url = values.get("page_url") or request.META.get("HTTP_REFERER") or ""
    context = {
        "form": form,
        "tenant": form.tenant,
        "fields": hosted_fields(form, values=values, errors=errors or {}),
        "consent_error": (errors or {}).get("consent", []),
        "consent_checked": str(values.get("consent", "")).lower() in services.TRUE_WORDS,
        "refusal": refusal,
        "token": token or guard.fill_token(form.key),
        "honeypot": guard.HONEYPOT_FIELD,
        "token_field": guard.FILL_TOKEN_FIELD,
        "page_url": page_url[:2000],
        "utm": [(n, (values.get(n) or request.GET.get(n, ""))[:200]) for n in services.UTM_FIELDS],
    }
    return _page_policy(render(request, "webforms/hosted.html", context, status=status), form)


def _page_policy(response: HttpResponse, form: WebForm) -> HttpResponse:
    """The hosted page may be framed by the form's own sites (the embed snippet), and its
    post may end on the form's thank-you page elsewhere; the rest of the policy stands."""
    from csp.constants import NONE, SELF

    form_action = [SELF]
    if form.thank_you_url:
        parts = urlsplit(form.thank_you_url)
        form_action.append(f"{parts.scheme}://{parts.netloc}")
    response._csp_replace = {
        "frame-ancestors": list(form.allowed_origins) or [NONE],
        "form-action": form_action,
    }
    return response


def _too_many(request, form: WebForm | None, wait: float):
    retry_after = str(max(1, math.ceil(wait)))
    detail = "Too many submissions: please wait a moment and send the form again."
    if request.method == "POST" and _is_json(request):
        response = _problem(429, "throttled", detail, headers={"Retry-After": retry_after})
        origin = request.headers.get("Origin")
        if form is not None and services.origin_allowed(form=form, origin=origin):
            _cors(response, origin)
        return response
    if form is None:
        response = HttpResponse(detail, status=429, content_type="text/plain")
    else:
        response = _hosted_page(request, form, status=429, values=request.POST, refusal=detail)
    response["Retry-After"] = retry_after
    return response


def _parse(request) -> tuple[dict | None, str]:
    if _is_json(request):
        if len(request.body) > guard.MAX_BODY_BYTES:  # sent without a Content-Length
            return None, f"The form is too large (at most {guard.MAX_BODY_BYTES // 1024} KB)."
        try:
            data = json.loads(request.body or b"{}")
        except (ValueError, UnicodeDecodeError):
            return None, "The body is not valid JSON."
        if not isinstance(data, dict):
            return None, "Send one JSON object of field names to values."
        return data, ""
    return {name: request.POST.get(name) for name in request.POST}, ""


@csrf_exempt  # no session or cookie is used here: the form key and the guards are the checks
@xframe_options_exempt  # the embed snippet frames the hosted page on the company's site
def form_endpoint(request, key: str):
    if request.method not in ("GET", "POST", "OPTIONS"):
        return HttpResponseNotAllowed(["GET", "POST", "OPTIONS"])
    form = webform_by_key(key=key)
    if form is None:
        if request.method == "POST" and _is_json(request):
            return _problem(404, "not_found", "No such form.")
        return HttpResponse("No such form.", status=404, content_type="text/plain")
    with tenant_scope(form.tenant):
        if request.method == "OPTIONS":
            return _preflight(request, form)
        if request.method == "GET":
            return _hosted_page(request, form)
        return _submit(request, form)


def _preflight(request, form: WebForm) -> HttpResponse:
    origin = request.headers.get("Origin")
    if not services.origin_allowed(form=form, origin=origin):
        return HttpResponse(status=403)
    response = _cors(HttpResponse(status=204), origin)
    response["Access-Control-Allow-Methods"] = "POST, OPTIONS"
    response["Access-Control-Allow-Headers"] = "Content-Type"
    response["Access-Control-Max-Age"] = str(PREFLIGHT_MAX_AGE)
    return response


def _submit(request, form: WebForm) -> HttpResponse:
    as_json = _is_json(request)
    origin = request.headers.get("Origin")
    if as_json and not services.origin_allowed(form=form, origin=origin):
        return _problem(403, "origin_not_allowed",
                        "This form takes JSON only from the sites it names.")  # fmt: skip
    wait = meters_wait(guard.submission_meters(form_key=form.key, address=_client_address(request)))
    if wait:
        return _too_many(request, form, wait)
    if int(request.META.get("CONTENT_LENGTH") or 0) > guard.MAX_BODY_BYTES:
        detail = f"The form is too large (at most {guard.MAX_BODY_BYTES // 1024} KB)."
        if as_json:
            return _cors(_problem(413, "too_large", detail), origin)
        return _hosted_page(request, form, status=413, refusal=detail)
    data, problem = _parse(request)
    if data is None:
        return _cors(_problem(400, "invalid", problem, {"non_field_errors": [problem]}), origin)
    context = services.SubmissionContext(
        ip_address=_client_address(request), hosted_page=not as_json
    )
    try:
        result = services.webform_submit(form=form, data=data, context=context)
    except SubmissionRefused as refused:
        if as_json:
            return _cors(_problem(400, refused.code, refused.detail), origin)
        # A page for a person: the message is on it (a 400 would be logged as a page error).
        return _hosted_page(request, form, values=data, refusal=refused.detail)
    except InvalidSubmission as invalid:
        if as_json:
            return _cors(_problem(400, "invalid", invalid.detail, invalid.errors), origin)
        token = data.get(guard.FILL_TOKEN_FIELD) or ""
        return _hosted_page(request, form, values=data, errors=invalid.errors, token=token)
    if as_json:
        body = {"status": "created" if result.created else "merged",
                "message": form.thank_you_message or services.DEFAULT_THANKS,
                "redirect": form.thank_you_url or None}  # fmt: skip
        return _cors(JsonResponse(body, status=201 if result.created else 200), origin)
    if form.thank_you_url:
        return redirect(form.thank_you_url)
    return redirect("webforms-public:thanks", key=form.key)


@xframe_options_exempt
def thanks_page(request, key: str):
    form = webform_by_key(key=key)
    if form is None:
        return HttpResponse("No such form.", status=404, content_type="text/plain")
    message = form.thank_you_message or services.DEFAULT_THANKS
    page = render(request, "webforms/thanks.html", {"form": form, "tenant": form.tenant,
                                                    "message": message})  # fmt: skip
    return _page_policy(page, form)
