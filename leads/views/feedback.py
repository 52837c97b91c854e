"""Feedback from sales (/t/<slug>/feedback/): why SQLs came back, by campaign, persona, reason."""

from __future__ import annotations

from django.views.generic import TemplateView

from leads import feedback
from smarketing.periods import InvalidPeriod
from smarketing.tenancy.views import TenantPageMixin

GROUP_LABELS = {"campaign": "Campaign", "persona": "Persona", "reason": "Reason"}


class FeedbackPageView(TenantPageMixin, TemplateView):
    template_name = "leads/feedback.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        params = self.request.GET
        group_by = params.get("group_by") if params.get("group_by") in feedback.GROUPS else None
        tz_name = self.request.tenant.timezone
        error = ""
        try:
            period = feedback.parse_period(params, tz_name=tz_name)
        except InvalidPeriod as problem:
            error = " ".join(m for messages in problem.errors.values() for m in messages)
            period = feedback.parse_period({}, tz_name=tz_name)
        report = feedback.rejection_feedback(period=period, group_by=group_by or "campaign")
        context.update(
            report=report, error=error, group_label=GROUP_LABELS[report["group_by"]],
            groups=list(GROUP_LABELS.items()),
        )  # fmt: skip
        return context
