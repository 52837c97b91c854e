"""Small helpers shared by the lead page and lead import tests."""

import re

from django.core.files.base import ContentFile

from leads.imports.models import LeadImport
from leads.imports.services import lead_import_process
from leads.models import Lead
from smarketing import events
from smarketing.tenancy.scope import tenant_scope
from tests.leads.factories import LeadImportFactory

RICH_BREAKDOWN = {
    "score": 72,
    "fit": 80,
    "engagement": 60,
    "persona": {"id": 7, "version": 2, "name": "Operations lead in mid-size manufacturing"},
    "criteria": {
        "matched": [
            {"field": "industry", "operator": "in", "weight": 40},
            {"field": "company_size", "operator": "range", "weight": 30},
            {"field": "title", "operator": "contains_any", "weight": 20},
        ],
        "missed": [
            {"field": "country", "operator": "equals", "weight": 10},
            {"field": "custom.erp_vendor", "operator": "not_in", "weight": 15},
        ],
    },
    "engagement_contributions": {"webinar": 22.5, "email_click": 9.25, "page_view": 4.1},
    "engagement_raw": 35.85,
    "weights": {"fit": 0.6, "engagement": 0.4},
}

GOOD_AND_BAD = (
    b"Email,First Name,Last Name,Company,Country\n"
    b"ada@example.com,Ada,Lovelace,Analytical Engines,GB\n"
    b"not-an-email,Bad,Row,Nowhere,IT\n"
    b"grace@example.com,Grace,Hopper,US Navy,US\n"
)


def leads_url(tenant, *parts) -> str:
    return "/".join([f"/t/{tenant.slug}/leads", *map(str, parts)]) + "/"


def text_of(response) -> str:
    return response.content.decode()


def stages_of(leads) -> set[str]:
    return set(
        Lead.all_tenants.filter(pk__in=[lead.pk for lead in leads]).values_list("stage", flat=True)
    )


def buttons(response) -> set[str]:
    return {
        label.strip() for label in re.findall(r"<button[^>]*>([^<]+)</button>", text_of(response))
    }


def process(tenant, content: bytes, **fields) -> LeadImport:
    """Run the import service on a queued import of `content`, as the task would."""
    row = LeadImportFactory(
        tenant=tenant, status="queued", file=ContentFile(content, name="leads.csv"), **fields
    )
    with tenant_scope(tenant):
        return lead_import_process(lead_import=LeadImport.objects.get(pk=row.pk))


def heard(monkeypatch, event_type: str) -> list[dict]:
    """Every `event_type` item published from now on, with the context handlers get (the
    payload's keys, and `context` for the in-process objects), in order."""
    seen: list[dict] = []

    def listen(*, tenant, items, **context):
        seen.extend({**item, "context": context} for item in items)

    monkeypatch.setitem(events._handlers, event_type, [*events.handlers_for(event_type), listen])
    return seen
