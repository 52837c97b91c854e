"""Web forms: configured by marketers, submitted by the public through one lead upsert."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from django.db import transaction
from django.utils import timezone

from leads.input import clean_lead
from leads.models import Campaign, Lead, TouchSource
from leads.services.activity import lead_events_record
from leads.services.touches import campaign_touches_record
from leads.services.upsert import lead_upsert
from leads.webforms import guard
from leads.webforms.errors import FormConflict, InvalidForm, InvalidSubmission, SubmissionRefused
from leads.webforms.models import FORM_FIELDS, LeadConsent, WebForm
from smarketing.errors import raise_field_errors
from smarketing.tenancy.actors import Actor
from smarketing.tenancy.audit import audit_record, changes_between, snapshot
from smarketing.tenancy.roles import INTEGRATION

CONFIG_FIELDS = ("name", "fields", "required", "campaign", "consent_text", "thank_you_message",
                 "thank_you_url", "allowed_origins")  # fmt: skip
UTM_FIELDS = ("utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content")
# What a submission may carry besides the form's own fields.
META_FIELDS = frozenset(
    {"consent", "page_url", *UTM_FIELDS, guard.HONEYPOT_FIELD, guard.FILL_TOKEN_FIELD}
)
MAX_ORIGINS = 20
DEFAULT_THANKS = "Thank you! We have your details and will be in touch."
TRUE_WORDS = frozenset({"true", "on", "yes", "1"})


def _origin_problem(origin: Any) -> str | None:
    if not isinstance(origin, str):
        return "Each origin must be a string."
    parts = urlsplit(origin.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return f"{origin!r} is no origin: write it like https://www.example.com"
    if parts.path not in ("", "/") or parts.query or parts.fragment or parts.username:
        return f"{origin!r}: an origin is scheme, host and port only, no path."
    return None


def _origin(value: str) -> str:
    parts = urlsplit(value.strip())
    return f"{parts.scheme}://{parts.netloc.lower()}"


def _clean_config(
    data: dict[str, Any], form: WebForm
) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """Apply `data` to `form`; return its field errors and its conflicts with the tenant's
    rows (nothing is saved here)."""
    errors: dict[str, list[str]] = {}
    conflicts: dict[str, list[str]] = {}
    unknown = [name for name in data if name not in CONFIG_FIELDS]
    for name in unknown:
        errors[name] = ["Unknown field."]
    if "name" in data:
        name = " ".join(str(data["name"] or "").split())
        if not name or len(name) > 200:
            errors["name"] = ["Give the form a name of at most 200 characters."]
        elif WebForm.objects.filter(name__iexact=name).exclude(pk=form.pk).exists():
            conflicts["name"] = [f"A form named {name!r} exists already."]
        form.name = name
    for list_name in ("fields", "required"):
        if list_name in data:
            values = data[list_name]
            if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
                errors[list_name] = ["Must be a list of lead field names."]
                continue
            wrong = [v for v in values if v not in FORM_FIELDS]
            if wrong:
                errors[list_name] = [f"{wrong[0]!r} is no field a form may ask; use "
                                     f"{', '.join(FORM_FIELDS)}."]  # fmt: skip
                continue
            setattr(form, list_name, [f for f in FORM_FIELDS if f in values])
    if "fields" not in errors and "email" not in form.fields:
        # Leads are found again by e-mail: a form without it could only create strangers.
        form.fields = ["email", *form.fields]
    if "required" not in errors:
        extra = [f for f in form.required if f not in form.fields]
        if extra:
            errors["required"] = [f"{extra[0]!r} is required but the form does not ask it."]
        form.required = [f for f in FORM_FIELDS if f in form.required or f == "email"]
    if "campaign" in data:
        campaign = data["campaign"]
        if campaign in (None, ""):
            form.campaign = None
        elif isinstance(campaign, bool) or not str(campaign).isdigit():
            errors["campaign"] = ["Must be a campaign id or null."]
        else:
            found = Campaign.objects.filter(pk=int(campaign)).first()
            if found is None:
                conflicts["campaign"] = [f"No campaign {campaign} here."]
            form.campaign = found
    if "consent_text" in data:
        text = str(data["consent_text"] or "").strip()
        if len(text) > 5000:
            errors["consent_text"] = ["At most 5,000 characters."]
        if text != form.consent_text:
            form.consent_text = text
            form.consent_version += 1 if text else 0
    if "thank_you_message" in data:
        message = str(data["thank_you_message"] or "").strip()
        if len(message) > 500:
            errors["thank_you_message"] = ["At most 500 characters."]
        form.thank_you_message = message
    if "thank_you_url" in data:
        url = str(data["thank_you_url"] or "").strip()
        parts = urlsplit(url)
        if url and (parts.scheme not in ("http", "https") or not parts.hostname or len(url) > 500):
            errors["thank_you_url"] = [
                "Must be an http(s) address, e.g. https://example.com/thanks"
            ]
        form.thank_you_url = url
    if "allowed_origins" in data:
        origins = data["allowed_origins"]
        if not isinstance(origins, list) or len(origins) > MAX_ORIGINS:
            errors["allowed_origins"] = [f"Must be a list of at most {MAX_ORIGINS} origins."]
        else:
            problems = [p for p in map(_origin_problem, origins) if p]
            if problems:
                errors["allowed_origins"] = problems[:1]
            else:
                form.allowed_origins = sorted({_origin(o) for o in origins})
    return errors, conflicts


@transaction.atomic
def webform_create(*, tenant, actor: Actor, data: dict[str, Any]) -> WebForm:
    form = WebForm(tenant=tenant, fields=["email"], required=["email"])
    errors, conflicts = _clean_config({"fields": ["email"], **data}, form)
    if "name" not in data:
        errors.setdefault("name", ["Give the form a name."])
    raise_field_errors(errors, conflicts, invalid_kind=InvalidForm, conflict_kind=FormConflict)
    form.save()
    audit_record(tenant=tenant, actor=actor, action="webform.created", target=form,
                 changes=changes_between({}, snapshot(form, list(CONFIG_FIELDS))))  # fmt: skip
    return form


@transaction.atomic
def webform_update(*, form: WebForm, actor: Actor, data: dict[str, Any]) -> WebForm:
    before = snapshot(form, list(CONFIG_FIELDS))
    errors, conflicts = _clean_config(data, form)
    raise_field_errors(errors, conflicts, invalid_kind=InvalidForm, conflict_kind=FormConflict)
    form.save()
    changes = changes_between(before, snapshot(form, list(CONFIG_FIELDS)))
    if changes:
        audit_record(tenant=form.tenant_id, actor=actor, action="webform.changed", target=form,
                     changes=changes)  # fmt: skip
    return form


def origin_allowed(*, form: WebForm, origin: str | None) -> bool:
    return bool(origin) and _origin(origin) in form.allowed_origins


@dataclass(frozen=True)
class SubmissionContext:
    """Where a submission came from: the address, and whether it is the hosted page's."""

    ip_address: str | None = None
    hosted_page: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class SubmissionResult:
    lead: Lead
    created: bool


def _text(value: Any) -> str:
    if isinstance(value, list):  # a form post may repeat a field; the last one counts
        value = value[-1] if value else ""
    return "" if value is None else str(value).strip()


def _clean_submission(form: WebForm, data: dict[str, Any]) -> tuple[Any, dict[str, list[str]]]:
    errors: dict[str, list[str]] = {}
    for name in data:
        if name not in form.fields and name not in META_FIELDS:
            errors[name] = ["This form does not ask for this."]
    values = {name: _text(data.get(name)) for name in form.fields}
    for name in form.required:
        if not values.get(name):
            errors[name] = ["This field is required."]
    if form.asks_consent:
        consent = data.get("consent")
        if not (consent is True or _text(consent).lower() in TRUE_WORDS):
            errors["consent"] = ["Please agree to this to send the form."]
    clean, lead_errors = clean_lead({k: v for k, v in values.items() if v != ""})
    for name, messages in lead_errors.items():
        errors.setdefault(name, messages)
    if len(_text(data.get("page_url"))) > 2000:
        errors["page_url"] = ["At most 2,000 characters."]
    for name in UTM_FIELDS:
        if len(_text(data.get(name))) > 200:
            errors[name] = ["At most 200 characters."]
    return clean, errors


def submission_refusal(*, form: WebForm, data: dict[str, Any], hosted_page: bool) -> str | None:
    """Why this submission looks automated, or None. Asked before any field is checked."""
    if guard.honeypot_filled(data):
        return "This submission looks automated and was not accepted."
    if hosted_page:
        return guard.fill_token_problem(_text(data.get(guard.FILL_TOKEN_FIELD)), form_key=form.key)
    return None


def _credit_utm_campaign(*, form: WebForm, lead: Lead, utm_campaign: str, at) -> None:
    """The form's own campaign was credited by the upsert; a tagged link credits its own."""
    if not utm_campaign:
        return
    match = Campaign.objects.filter(slug=utm_campaign.lower()).values_list("pk", flat=True)
    campaign_touches_record(
        tenant_id=form.tenant_id,
        touches=[(lead.pk, pk, at) for pk in match if pk != form.campaign_id],
        source=TouchSource.UTM,
    )


@transaction.atomic
def webform_submit(
    *, form: WebForm, data: dict[str, Any], context: SubmissionContext
) -> SubmissionResult:
    """A person sent the form: refuse robots, check each field, then upsert the lead as the
    API does, record the `form_submit` event, credit the campaigns and keep the consent."""
    refusal = submission_refusal(form=form, data=data, hosted_page=context.hosted_page)
    if refusal:
        raise SubmissionRefused(refusal)
    clean, errors = _clean_submission(form, data)
    if errors:
        raise InvalidSubmission(errors)
    if form.campaign_id:
        clean.fields["campaign"] = form.campaign_id
    actor = Actor(user=None, role=INTEGRATION, label=f"Web form “{form.name}”"[:120])
    result = lead_upsert(tenant=form.tenant, actor=actor, data=clean, touch_source=TouchSource.FORM)
    now = timezone.now()
    utm = {name: _text(data.get(name)) for name in UTM_FIELDS if _text(data.get(name))}
    properties = {"form": form.pk, "form_name": form.name, "page_url": _text(data.get("page_url")),
                  "utm": utm}  # fmt: skip
    lead_events_record(tenant=form.tenant, actor=actor, items=[{
        "lead_id": result.lead.pk, "type": "form_submit", "occurred_at": now,
        "properties": properties,
    }])  # fmt: skip
    _credit_utm_campaign(
        form=form, lead=result.lead, utm_campaign=utm.get("utm_campaign", ""), at=now
    )
    if form.asks_consent:
        LeadConsent.objects.create(
            tenant_id=form.tenant_id, lead=result.lead, form=form, text=form.consent_text,
            version=form.consent_version, given_at=now, ip_address=context.ip_address,
        )  # fmt: skip
    return SubmissionResult(lead=result.lead, created=result.created)


def consents_erase(*, lead_ids: list[int]) -> None:
    """Erasure: the consent stays as a fact (text, version, time), the address goes."""
    LeadConsent.objects.filter(lead_id__in=lead_ids).update(ip_address=None)
