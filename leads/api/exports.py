"""The filtered lead list as a CSV file, streamed: memory stays flat whatever the size."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator
from typing import Any

from django.db.models import QuerySet
from django.http import StreamingHttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.generics import GenericAPIView
from rest_framework.renderers import BaseRenderer, JSONRenderer

from leads import selectors
from leads.filters import LeadFilter
from leads.models import Lead
from leads.spreadsheet import neutralize_cell
from smarketing.api.filters import FilterBackend, StableOrderingFilter
from smarketing.api.viewsets import TenantScopedAPIMixin
from smarketing.tenancy.scope import tenant_scope

# Column -> the value to read; the names are those the import maps back to lead fields, and
# the computed ones (stage, scores…) are ignored by it, so an export can be imported again.
EXPORT_COLUMNS: dict[str, str] = {
    "id": "id", "email": "email", "first_name": "first_name", "last_name": "last_name",
    "company": "company", "title": "title", "phone": "phone", "industry": "industry",
    "company_size": "company_size", "country": "country", "campaign_id": "campaign_id",
    "stage": "stage", "owner_email": "owner__email", "accepted_at": "accepted_at",
    "persona_id": "persona_id", "score": "score", "fit_score": "fit_score",
    "engagement_score": "engagement_score", "is_cold": "is_cold",
    "last_activity_at": "last_activity_at", "stage_changed_at": "stage_changed_at",
    "created_at": "created_at", "updated_at": "updated_at", "custom_fields": "custom_fields",
}  # fmt: skip
CHUNK_SIZE = 2000  # rows fetched per round trip (a server-side cursor on PostgreSQL)
ROWS_PER_WRITE = 500


class CSVRenderer(BaseRenderer):
    """Lets a client ask for `text/csv`. Views answer with their own CSV response; what
    reaches this renderer is an error, rendered as problem+json."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return JSONRenderer().render(data, accepted_media_type, renderer_context)


class _Echo:
    """A file-like object whose write returns what was written: csv.writer to strings."""

    def write(self, value: str) -> str:
        return value


def cell(value: Any) -> str | int:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return value
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False) if value else ""
    if hasattr(value, "isoformat"):
        return value.isoformat()
    text = str(value)
    return neutralize_cell(text)


def csv_stream(*, tenant, header: list[str], rows: Iterable[Iterable[Any]]) -> Iterator[str]:
    """CSV text in pieces. The response is consumed after the view returned and left its
    tenant scope, so the generator enters the tenant's scope itself (row-level security)."""
    writer = csv.writer(_Echo())
    with tenant_scope(tenant):
        yield writer.writerow(header)
        pending: list[str] = []
        for row in rows:
            pending.append(writer.writerow([cell(value) for value in row]))
            if len(pending) >= ROWS_PER_WRITE:
                yield "".join(pending)
                pending = []
        if pending:
            yield "".join(pending)


def csv_download(
    *, request, name: str, header: list[str], rows: Iterable[Iterable[Any]]
) -> StreamingHttpResponse:
    """A report's rows as a streamed CSV attachment named `<name>-<tenant>-<date>.csv`:
    the header row first, RFC 4180 quoting, every text cell through `neutralize_cell`."""
    response = StreamingHttpResponse(
        csv_stream(tenant=request.tenant, header=header, rows=rows),
        content_type="text/csv; charset=utf-8",
    )
    filename = f"{name}-{request.tenant.slug}-{timezone.localdate().isoformat()}.csv"
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


CSV_SCHEMA = {(200, "text/csv"): OpenApiTypes.STR}


class LeadExportView(TenantScopedAPIMixin, GenericAPIView):
    """The lead list with the list's filters and ordering, as CSV."""

    queryset = Lead.all_tenants.none()  # names the model; rows come from get_queryset
    filter_backends = [FilterBackend, StableOrderingFilter]
    filterset_class = LeadFilter
    ordering_fields = ["id", "score", "created_at", "updated_at", "last_activity_at",
                       "stage_changed_at"]  # fmt: skip
    ordering = ["id"]
    renderer_classes = [JSONRenderer, CSVRenderer]
    pagination_class = None

    def get_queryset(self) -> QuerySet[Lead]:
        return selectors.lead_list()

    @extend_schema(
        operation_id="v1_leads_export_csv",
        filters=True,
        responses={(200, "text/csv"): OpenApiTypes.STR},
    )
    def get(self, request):
        queryset = self.filter_queryset(self.get_queryset())
        rows = queryset.values_list(*EXPORT_COLUMNS.values()).iterator(chunk_size=CHUNK_SIZE)
        return csv_download(request=request, name="leads", header=list(EXPORT_COLUMNS), rows=rows)
