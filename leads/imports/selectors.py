"""Reads on imports."""

from django.db.models import QuerySet

from leads.imports.models import LeadImport


def lead_imports_recent(*, limit: int = 10) -> QuerySet[LeadImport]:
    """The current tenant's latest imports, newest first."""
    return LeadImport.objects.select_related("created_by").order_by("-created_at", "-id")[:limit]
