"""Campaigns: the funnel and ROI of each, and a form to start a new one."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect
from django.views.generic import TemplateView

from leads import selectors, services
from leads.errors import InvalidLeadData
from leads.forms import CampaignForm
from leads.models import Campaign
from leads.services.campaigns import OWNER_ROLES
from smarketing.tenancy.actors import Actor
from smarketing.tenancy.roles import has_capability
from smarketing.tenancy.selectors import members_of
from smarketing.tenancy.views import TenantPageMixin

PAGE_SIZE = 50


class CampaignListView(TenantPageMixin, TemplateView):
    template_name = "leads/campaign_list.html"
    post_capability = "campaigns.manage"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        page = Paginator(Campaign.objects.order_by("-created_at", "-id"), PAGE_SIZE).get_page(
            self.request.GET.get("page")
        )
        stats = selectors.campaign_stats(campaign_ids=[c.pk for c in page.object_list])
        context.update(
            page_obj=page,
            rows=[(campaign, stats[campaign.pk]) for campaign in page.object_list],
            can_manage=has_capability(self.request.role, "campaigns.manage"),
        )
        context.setdefault("form", CampaignForm(owners=self._owners()))
        return context

    def _owners(self) -> list[tuple[int, str]]:
        """Who may own a campaign (the service checks the same roles)."""
        return [
            (membership.user_id, membership.user.email)
            for membership in members_of(tenant=self.request.tenant, roles=OWNER_ROLES)
        ]

    def post(self, request):
        form = CampaignForm(request.POST, owners=self._owners())
        if form.is_valid():
            try:
                campaign = services.campaign_create(
                    tenant=request.tenant, data=form.cleaned_data, actor=Actor.from_request(request)
                )
            except InvalidLeadData as error:
                for name, problems in error.errors.items():
                    field = "owner_id" if name == "owner" else name
                    form.add_error(field if field in form.fields else None, problems)
            else:
                messages.success(request, f"Campaign “{campaign.name}” created.")
                return redirect("campaigns:list", tenant_slug=request.tenant.slug)
        return self.render_to_response(self.get_context_data(form=form))
