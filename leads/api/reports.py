"""The funnel report, as JSON and as a CSV file with the same parameters."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.http import StreamingHttpResponse
from django.utils.http import content_disposition_header
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from leads.api.exports import CSVRenderer, csv_stream
from leads.funnel import definitions
from leads.funnel.report import DEFAULT_DAYS, GROUPS, MAX_DAYS, MODES, funnel_report, parse_choice
from smarketing.api.viewsets import TenantAPIView
from smarketing.periods import Period, parse_range

CSV_HEADER = ["group_key", "group", "stage", "band", "count", "conversion", "median_hours",
              "p90_hours"]  # fmt: skip

FUNNEL_PARAMETERS = [
    OpenApiParameter("from", OpenApiTypes.DATE, description=f"First day (default: {DEFAULT_DAYS} "
                     f"days up to `to`; at most {MAX_DAYS} days at once)"),
    OpenApiParameter("to", OpenApiTypes.DATE, description="Last day (default: today)"),
    OpenApiParameter("mode", str, enum=list(MODES), description="`flow` (default): the moves "
                     "made in the range; `cohort`: the leads created in it, followed to today"),
    OpenApiParameter("group_by", str, enum=list(GROUPS),
                     description="Also the funnel of each group (the lead as it is now)"),
]  # fmt: skip


def funnel_request(request) -> tuple[Period, str, str | None]:
    """The period, mode and grouping a request asks for; 400 naming a bad parameter."""
    params = request.query_params
    mode = parse_choice(params, "mode", MODES, default="flow")
    group_by = parse_choice(params, "group_by", GROUPS, default=None)
    period = parse_range(
        params,
        tz_name=request.tenant.timezone,
        default_days=DEFAULT_DAYS,
        max_days=MAX_DAYS,
        blank_is_default=False,
    )
    return period, mode, group_by


class FunnelView(TenantAPIView):
    """The funnel from lead to won: per stage its count, the conversion from the stage
    above, and the median and p90 hours leads spent in it before the next one."""

    @extend_schema(
        parameters=FUNNEL_PARAMETERS,
        responses=OpenApiResponse(OpenApiTypes.OBJECT, description="The funnel report"),
    )
    def get(self, request):
        period, mode, group_by = funnel_request(request)
        return Response(funnel_report(period=period, mode=mode, group_by=group_by))


def _csv_rows(report: dict[str, Any]) -> Iterator[list[Any]]:
    sections = [(None, "All leads", report["stages"])]
    sections += [(group["key"], group["label"], group["stages"]) for group in report["groups"]]
    for key, label, stages in sections:
        for stage in stages:
            yield [key, label, stage["stage"], definitions.BANDS[stage["stage"]], stage["count"],
                   stage["conversion"], stage["median_hours"], stage["p90_hours"]]  # fmt: skip


class FunnelExportView(TenantAPIView):
    """The funnel report as CSV: one row per group and stage, the totals first."""

    renderer_classes = [JSONRenderer, CSVRenderer]

    @extend_schema(
        operation_id="v1_reports_funnel_csv",
        parameters=FUNNEL_PARAMETERS,
        responses={(200, "text/csv"): OpenApiTypes.STR},
    )
    def get(self, request):
        period, mode, group_by = funnel_request(request)
        report = funnel_report(period=period, mode=mode, group_by=group_by)
        return funnel_csv_response(report, tenant=request.tenant)


def funnel_csv_response(report: dict[str, Any], *, tenant) -> StreamingHttpResponse:
    """The report as a streamed CSV download (the API's and the page's)."""
    response = StreamingHttpResponse(
        csv_stream(tenant=tenant, header=CSV_HEADER, rows=_csv_rows(report)),
        content_type="text/csv; charset=utf-8",
    )
    filename = f"funnel-{report['mode']}-{report['from']}-{report['to']}.csv"
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response
