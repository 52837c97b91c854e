"""How a form's fields look on the hosted page and in the embed snippet."""

from __future__ import annotations

from typing import Any

from leads.webforms.models import WebForm

LABELS = {
    "email": ("E-mail", "email", "email"),
    "first_name": ("First name", "text", "given-name"),
    "last_name": ("Last name", "text", "family-name"),
    "company": ("Company", "text", "organization"),
    "title": ("Job title", "text", "organization-title"),
    "phone": ("Phone", "tel", "tel"),
    "industry": ("Industry", "text", "off"),
    "company_size": ("Company size (employees)", "number", "off"),
    "country": ("Country (two letters, e.g. IT)", "text", "country"),
}


def hosted_fields(
    form: WebForm, *, values: dict[str, Any], errors: dict[str, list[str]]
) -> list[dict[str, Any]]:
    fields = []
    for name in form.fields:
        label, input_type, autocomplete = LABELS[name]
        value = values.get(name) or ""
        fields.append({
            "name": name, "label": label, "type": input_type, "autocomplete": autocomplete,
            "value": value if isinstance(value, str) else str(value),
            "required": name in form.required, "errors": errors.get(name, []),
        })  # fmt: skip
    return fields


def embed_snippets(form: WebForm, *, base_url: str) -> dict[str, str]:
    """What a marketer pastes into the company's site: the hosted form in a frame, or a
    JSON post from the site's own form (allowed origins only)."""
    url = f"{base_url.rstrip('/')}/f/{form.key}/"
    iframe = (f'<iframe src="{url}" title="{form.name}" width="100%" height="640" '
              'style="border:0" loading="lazy"></iframe>')  # fmt: skip
    body = ", ".join(f'"{name}": …' for name in form.fields)
    consent = ', "consent": true' if form.asks_consent else ""
    headers = '{"Content-Type": "application/json"}'
    payload = f'JSON.stringify({{{body}{consent}, "page_url": location.href}})'
    fetch = f'fetch("{url}", {{method: "POST", headers: {headers},\n  body: {payload}}})'
    return {"iframe": iframe, "json": fetch, "url": url}
