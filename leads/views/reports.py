"""Reports (/t/<slug>/reports/...): the funnel, drawn from the same report as the API."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.views import View
from django.views.generic import TemplateView

from leads.api.reports import funnel_csv_response
from leads.funnel import definitions
from leads.funnel.report import (
    DEFAULT_DAYS,
    GROUPS,
    MAX_DAYS,
    MODES,
    InvalidReportParameter,
    funnel_report,
    parse_choice,
    weekly_velocity,
)
from smarketing.periods import InvalidPeriod, Period, parse_range
from smarketing.tenancy.views import TenantPageMixin

STAGE_LABELS = {"lead": "Leads", "mql": "MQLs", "sql": "SQLs", "accepted": "Accepted",
                "opportunity": "Opportunities", "won": "Won"}  # fmt: skip
BAND_LABELS = {"tofu": "Top of the funnel", "mofu": "Middle of the funnel",
               "bofu": "Bottom of the funnel"}  # fmt: skip
GROUP_LABELS = {"campaign": "Campaign", "channel": "Channel", "persona": "Persona",
                "team": "Team", "country": "Country"}  # fmt: skip
MODE_LABELS = {"flow": "Flow: moves made in the range",
               "cohort": "Cohort: leads created in the range, to today"}  # fmt: skip


def funnel_params(request) -> tuple[Period, str, str | None, dict[str, list[str]]]:
    """What the page's filters ask for; a bad value falls back to its default, and its
    message goes beside its field."""
    params, errors = request.GET, {}
    tz_name = request.tenant.timezone
    try:
        mode = parse_choice(params, "mode", MODES, default="flow")
    except InvalidReportParameter as problem:
        errors.update(problem.errors)
        mode = "flow"
    try:
        group_by = parse_choice(params, "group_by", GROUPS, default=None)
    except InvalidReportParameter as problem:
        errors.update(problem.errors)
        group_by = None
    try:
        period = parse_range(params, tz_name=tz_name, default_days=DEFAULT_DAYS, max_days=MAX_DAYS)
    except InvalidPeriod as problem:
        errors.update(problem.errors)
        period = parse_range({}, tz_name=tz_name, default_days=DEFAULT_DAYS)
    return period, mode, group_by, errors


def _rows(stages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{**stage, "label": STAGE_LABELS[stage["stage"]],
             "band": definitions.BANDS[stage["stage"]]} for stage in stages]  # fmt: skip


class FunnelPageView(TenantPageMixin, TemplateView):
    template_name = "leads/reports/funnel.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        period, mode, group_by, errors = funnel_params(self.request)
        report = funnel_report(period=period, mode=mode, group_by=group_by)
        stages = _rows(report["stages"])
        bands = [
            {"band": band, "label": label, "stages": [s for s in stages if s["band"] == band]}
            for band, label in BAND_LABELS.items()
        ]
        weeks = weekly_velocity(period=period)
        query = {"from": period.first_day.isoformat(), "to": period.last_day.isoformat(),
                 "mode": mode, **({"group_by": group_by} if group_by else {})}  # fmt: skip
        context.update(
            report=report, period=period, mode=mode, group_by=group_by, errors=errors,
            bands=bands, groups=[{**g, "rows": _rows(g["stages"])} for g in report["groups"]],
            is_empty=not any(stage["count"] for stage in stages),
            modes=list(MODE_LABELS.items()), group_choices=list(GROUP_LABELS.items()),
            group_label=GROUP_LABELS.get(group_by or "", ""), query=urlencode(query),
            chart={
                "stages": [{"label": s["label"], "band": s["band"], "count": s["count"],
                            "median_hours": s["median_hours"], "p90_hours": s["p90_hours"]}
                           for s in stages],
                "weeks": [{**week, "week": week["week"].isoformat()} for week in weeks],
            },
        )  # fmt: skip
        return context


class FunnelExportPageView(TenantPageMixin, View):
    """The page's download: the same CSV as the API's, with the page's filters."""

    def get(self, request, *args, **kwargs):
        period, mode, group_by, _ = funnel_params(request)
        report = funnel_report(period=period, mode=mode, group_by=group_by)
        return funnel_csv_response(report, tenant=request.tenant)
