"""The campaign ROI page (/t/<slug>/reports/campaigns/): the report's tables, its charts
(drawn by static/js/campaign_roi.js from the same figures) and its CSV download."""

from __future__ import annotations

from urllib.parse import urlencode

from django.views.generic import TemplateView

from leads.roi.api import DEFAULT_DAYS
from leads.roi.attribution import ATTRIBUTIONS, FIRST, parse_attribution
from leads.roi.report import campaign_roi
from smarketing.errors import InvalidInput
from smarketing.periods import parse_range
from smarketing.tenancy.views import TenantPageMixin

# What the charts draw: the figures the tables show, nothing computed in the browser.
CAMPAIGN_CHART = ("name", "cost", "revenue", "roi")
CHANNEL_CHART = ("label", "cost_per_lead", "cost_per_mql", "cost_per_sql", "cost_per_won")


class CampaignRoiPageView(TenantPageMixin, TemplateView):
    template_name = "reports/campaigns.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        params, tz_name = self.request.GET, self.request.tenant.timezone
        errors: dict[str, list[str]] = {}
        try:
            attribution = parse_attribution(params)
        except InvalidInput as problem:
            errors.update(problem.errors)
            attribution = FIRST
        try:
            period = parse_range(params, tz_name=tz_name, default_days=DEFAULT_DAYS)
        except InvalidInput as problem:
            errors.update(problem.errors)
            period = parse_range({}, tz_name=tz_name, default_days=DEFAULT_DAYS)
        report = campaign_roi(period=period, attribution=attribution)
        query = {"from": period.first_day.isoformat(), "to": period.last_day.isoformat(),
                 "attribution": attribution}  # fmt: skip
        chart = {
            "campaigns": [{key: row[key] for key in CAMPAIGN_CHART} for row in report["campaigns"]],
            "channels": [{key: row[key] for key in CHANNEL_CHART} for row in report["channels"]],
        }
        context.update(
            report=report, errors=errors, chart=chart, attributions=ATTRIBUTIONS,
            csv_url="/api/v1/reports/campaigns.csv?" + urlencode(query),
        )  # fmt: skip
        return context
