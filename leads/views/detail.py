"""The lead page: fields, score breakdown, timeline, and the actions the lifecycle allows."""

from __future__ import annotations

from django.views.generic import DetailView

from leads import selectors
from leads.models import Lead, RejectionReason
from leads.page_actions import lead_actions, touch_types
from leads.views.presenters import present_breakdown, present_timeline
from smarketing.tenancy.actors import Actor
from smarketing.tenancy.views import TenantPageMixin


class LeadDetailView(TenantPageMixin, DetailView):
    model = Lead
    template_name = "leads/lead_detail.html"
    context_object_name = "lead"

    def get_queryset(self):
        return selectors.lead_list()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        lead = self.object
        reasons = list(RejectionReason.objects.all())
        labels = {reason.code: reason.label for reason in reasons}
        context.update(
            actions=lead_actions(lead=lead, actor=Actor.from_request(self.request)),
            reasons=[reason for reason in reasons if reason.is_active],
            touch_types=touch_types(),
            breakdown=present_breakdown(lead.score_breakdown),
            timeline=present_timeline(selectors.lead_history(lead=lead), labels),
        )
        return context
