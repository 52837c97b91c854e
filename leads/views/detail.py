"""The lead page: fields, score breakdown, timeline, and the actions the lifecycle allows."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import redirect
from django.views.generic import DetailView

from leads import selectors
from leads.duplicates.selectors import duplicates_of
from leads.merging.selectors import merges_undoable, survivor_of
from leads.models import FINAL_STAGES, Lead, RejectionReason
from leads.page_actions import lead_actions, touch_types
from leads.views.edit import assignable_emails
from leads.views.presenters import present_breakdown, present_timeline
from smarketing.tenancy.actors import Actor
from smarketing.tenancy.roles import has_capability
from smarketing.tenancy.views import TenantPageMixin


class LeadDetailView(TenantPageMixin, DetailView):
    model = Lead
    template_name = "leads/lead_detail.html"
    context_object_name = "lead"

    def get_queryset(self):
        return selectors.lead_list()

    def get(self, request, *args, **kwargs):
        try:
            return super().get(request, *args, **kwargs)
        except Http404:
            survivor = survivor_of(lead_id=kwargs["pk"])
            if survivor is None:
                raise
            return redirect("leads:detail", tenant_slug=request.tenant.slug, pk=survivor)

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
            duplicates=duplicates_of(lead_ids=[lead.pk])[lead.pk],
            can_merge=has_capability(self.request.role, "leads.merge"),
            merges=merges_undoable(survivor=lead),
        )
        # Managers reassign an owned lead here (one at a time; many from the list).
        owned = lead.owner_id is not None and lead.stage not in FINAL_STAGES
        if owned and has_capability(self.request.role, "leads.assign"):
            context["assignees"] = assignable_emails()
        return context
