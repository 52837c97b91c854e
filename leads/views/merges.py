"""Duplicates for marketers, the side-by-side merge page, and its undo."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.views.generic import TemplateView

from leads import selectors
from leads.duplicates.selectors import duplicates_of, leads_with_duplicates
from leads.merging import services
from leads.merging.errors import MergeConflict, UndoRefused
from leads.merging.models import LeadMerge
from leads.merging.services import MERGE_FIELDS
from leads.models import Lead
from smarketing.errors import InvalidInput
from smarketing.tenancy.actors import Actor
from smarketing.tenancy.roles import has_capability
from smarketing.tenancy.views import TenantPageMixin

PAGE_SIZE = 50
LABELS = {"email": "E-mail", "first_name": "First name", "last_name": "Last name",
          "company": "Company", "title": "Job title", "phone": "Phone", "industry": "Industry",
          "company_size": "Company size", "country": "Country", "campaign": "Campaign",
          "custom_fields": "Custom fields"}  # fmt: skip


def _require_merge_role(request) -> None:
    if not has_capability(request.role, "leads.merge"):
        raise PermissionDenied(f"Your role ({request.role}) may not merge leads.")


class DuplicateListView(TenantPageMixin, TemplateView):
    template_name = "leads/duplicates.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        page = Paginator(leads_with_duplicates().order_by("-id"), PAGE_SIZE).get_page(
            self.request.GET.get("page")
        )
        found = duplicates_of(lead_ids=[lead.pk for lead in page.object_list])
        context.update(page_obj=page, rows=[(lead, found[lead.pk]) for lead in page.object_list])
        return context


def _display(lead: Lead, name: str) -> str:
    if name == "campaign":
        return lead.campaign.name if lead.campaign else ""
    if name == "custom_fields":
        return ", ".join(f"{k}: {v}" for k, v in (lead.custom_fields or {}).items())
    value = getattr(lead, name)
    return "" if value is None else str(value)


class LeadMergeView(TenantPageMixin, TemplateView):
    """Both leads side by side; the marketer picks each value, the other lead is merged in."""

    template_name = "leads/merge.html"
    isolation_model = Lead

    def _pair(self) -> tuple[Lead, Lead | None]:
        # The object first (another tenant's id is a 404), then the role (a 403).
        lead = get_object_or_404(selectors.lead_list(), pk=self.kwargs["pk"])
        _require_merge_role(self.request)
        other_id = self.request.POST.get("other") or self.request.GET.get("other")
        other = None
        if other_id and str(other_id).isdigit():
            other = selectors.lead_list().filter(pk=int(other_id)).first()
        return lead, other

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        lead, other = self._pair()
        rows = []
        if other is not None:
            for name in MERGE_FIELDS:
                mine, theirs = _display(lead, name), _display(other, name)
                default = "other" if not mine and theirs else "this"
                rows.append({"name": name, "label": LABELS[name], "this": mine, "other": theirs,
                             "default": default, "same": mine == theirs})  # fmt: skip
        context.update(
            lead=lead, other=other, rows=rows,
            refusal=services.merge_refusal(lead=lead, other=other) if other else None,
            candidates=duplicates_of(lead_ids=[lead.pk])[lead.pk],
        )  # fmt: skip
        return context

    def post(self, request, pk: int):
        lead, other = self._pair()
        if other is None:
            messages.error(request, "Choose the lead to merge into this one.")
            return redirect("leads:merge", tenant_slug=request.tenant.slug, pk=lead.pk)
        choices = {name: request.POST.get(f"field_{name}") for name in MERGE_FIELDS
                   if request.POST.get(f"field_{name}") in ("this", "other")}  # fmt: skip
        try:
            merge = services.lead_merge(lead=lead, other_id=other.pk, fields=choices,
                                        actor=Actor.from_request(request))  # fmt: skip
        except (MergeConflict, InvalidInput) as refused:
            messages.error(request, refused.detail)
            return redirect("leads:detail", tenant_slug=request.tenant.slug, pk=lead.pk)
        notes = " ".join(merge.notes)
        messages.success(request, f"Lead {other.pk} merged into this one. {notes}".strip())
        request.session["last_merge"] = merge.pk
        return redirect("leads:detail", tenant_slug=request.tenant.slug, pk=lead.pk)


class MergeUndoView(TenantPageMixin, TemplateView):
    template_name = "leads/merge_undo.html"
    isolation_model = LeadMerge

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        merge = get_object_or_404(LeadMerge.objects.select_related("survivor", "other"),
                                  pk=self.kwargs["pk"])  # fmt: skip
        _require_merge_role(self.request)
        context.update(
            merge=merge, refusal=services.undo_refusal(merge=merge, survivor=merge.survivor)
        )
        return context

    def post(self, request, pk: int):
        merge = LeadMerge.objects.filter(pk=pk).first()
        if merge is None:
            raise Http404
        _require_merge_role(request)
        try:
            services.lead_merge_undo(merge=merge, actor=Actor.from_request(request))
        except UndoRefused as refused:
            messages.error(request, refused.detail)
        else:
            messages.success(request, f"Merge undone: lead {merge.other_id} is back.")
        return redirect("leads:detail", tenant_slug=request.tenant.slug, pk=merge.survivor_id)
