"""`GET /api/v1/reports/campaigns/` and its CSV twin: parse, ask the report, render."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from leads.api.exports import CSV_SCHEMA, CSVRenderer, csv_download
from leads.roi.attribution import ATTRIBUTIONS, parse_attribution
from leads.roi.report import CSV_HEADER, campaign_roi, campaign_roi_rows
from smarketing.api.viewsets import TenantAPIView
from smarketing.periods import parse_range

DEFAULT_DAYS = 90
PARAMETERS = [
    OpenApiParameter(
        "from", OpenApiTypes.DATE, description="First day (default: 89 days before `to`)"
    ),
    OpenApiParameter("to", OpenApiTypes.DATE, description="Last day (default: today)"),
    OpenApiParameter(
        "attribution",
        str,
        enum=list(ATTRIBUTIONS),
        description="Credit each figure to the lead's first or last campaign touch up to it "
        "(default: first)",
    ),
]


def report_for(request, *, blank_is_default: bool = False) -> dict:
    """The report the query string asks for; a bad parameter is a 400 naming it."""
    params = request.query_params if hasattr(request, "query_params") else request.GET
    attribution = parse_attribution(params)
    period = parse_range(params, tz_name=request.tenant.timezone, default_days=DEFAULT_DAYS,
                         blank_is_default=blank_is_default)  # fmt: skip
    return campaign_roi(period=period, attribution=attribution)


class CampaignRoiView(TenantAPIView):
    """Cost, funnel figures, cost per stage and ROI per campaign and per channel."""

    @extend_schema(
        parameters=PARAMETERS,
        responses=OpenApiResponse(OpenApiTypes.OBJECT, description="The campaign ROI report"),
    )
    def get(self, request):
        return Response(report_for(request))


class CampaignRoiCsvView(TenantAPIView):
    """The same report as CSV: a row per campaign, per channel, and the total."""

    renderer_classes = [JSONRenderer, CSVRenderer]

    @extend_schema(operation_id="v1_reports_campaigns_csv", parameters=PARAMETERS,
                   responses=CSV_SCHEMA)  # fmt: skip
    def get(self, request):
        report = report_for(request)
        return csv_download(request=request, name="campaign-roi", header=CSV_HEADER,
                            rows=campaign_roi_rows(report))  # fmt: skip
