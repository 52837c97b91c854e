"""Creating and correcting a lead in the browser, and reassigning leads from the list.

The forms only carry the text typed; `clean_lead` and the upsert/update services (the same
as the API's) decide what is valid, and their field errors are shown beside the fields.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View
from django.views.generic import TemplateView

from leads import services
from leads.errors import InvalidLeadData
from leads.forms import first_error
from leads.input import clean_lead
from leads.models import Campaign, Lead
from leads.page_actions import BulkOutcome, LeadOutcome
from leads.views.actions import explain
from leads.views.lists import BULK_REPORT_KEY, BULK_REPORT_SHOWN, list_url
from smarketing.errors import DomainError
from smarketing.tenancy.actors import Actor
from smarketing.tenancy.roles import LEADERSHIP_ROLES, SALES_ROLES, has_capability
from smarketing.tenancy.selectors import members_of
from smarketing.tenancy.views import TenantPageMixin

FORM_FIELDS = ("email", "first_name", "last_name", "company", "title", "phone", "industry",
               "company_size", "country", "campaign")  # fmt: skip


class LeadForm(forms.Form):
    """Labels and widgets only: the service's cleaning is the one validation."""

    email = forms.CharField(label="E-mail", max_length=300)
    first_name = forms.CharField(label="First name", required=False, max_length=300)
    last_name = forms.CharField(label="Last name", required=False, max_length=300)
    company = forms.CharField(label="Company", required=False, max_length=300)
    title = forms.CharField(label="Job title", required=False, max_length=300)
    phone = forms.CharField(label="Phone", required=False, max_length=300)
    industry = forms.CharField(label="Industry", required=False, max_length=300)
    company_size = forms.CharField(label="Company size (employees)", required=False, max_length=20)
    country = forms.CharField(label="Country (ISO code, e.g. IT)", required=False, max_length=20)
    campaign = forms.ChoiceField(label="Campaign", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["campaign"].choices = [("", "—")] + [
            (str(c.pk), c.name) for c in Campaign.objects.order_by("name")
        ]

    def service_data(self, *, editing: bool) -> dict:
        data = {name: self.cleaned_data.get(name, "") for name in FORM_FIELDS}
        if editing:
            # A form always sends every field: an untouched empty field changes nothing,
            # as in a PATCH that leaves it out.
            data = {k: v for k, v in data.items() if v not in ("", None) or k == "campaign"}
        return data


def _show_errors(form: LeadForm, errors: dict[str, list[str]]) -> None:
    for name, problems in errors.items():
        form.add_error(name if name in form.fields else None, list(problems))


class LeadCreateView(TenantPageMixin, TemplateView):
    template_name = "leads/lead_form.html"
    capability = "leads.ingest"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("form", LeadForm())
        context["heading"] = "New lead"
        return context

    def post(self, request):
        form = LeadForm(request.POST)
        if form.is_valid():
            clean, errors = clean_lead(form.service_data(editing=False))
            try:
                if errors:
                    raise InvalidLeadData(errors)
                result = services.lead_upsert(
                    tenant=request.tenant, actor=Actor.from_request(request), data=clean
                )
            except InvalidLeadData as error:
                _show_errors(form, error.errors)
            else:
                lead = result.lead
                if result.created:
                    messages.success(request, f"Lead {lead.email} created.")
                else:
                    messages.info(request, f"{lead.email} was a lead already: the details given "
                                  "were merged into it.")  # fmt: skip
                return redirect("leads:detail", tenant_slug=request.tenant.slug, pk=lead.pk)
        return self.render_to_response(self.get_context_data(form=form), status=400)


class LeadEditView(TenantPageMixin, TemplateView):
    template_name = "leads/lead_form.html"
    model = Lead
    post_capability = "leads.edit"

    def lead(self) -> Lead:
        return get_object_or_404(Lead.objects.select_related("campaign"), pk=self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        lead = kwargs.get("lead") or self.lead()
        if "form" not in context:
            initial = {
                name: getattr(lead, name) or "" for name in FORM_FIELDS if name != "campaign"
            }
            initial["campaign"] = str(lead.campaign_id or "")
            context["form"] = LeadForm(initial=initial)
        context.update(lead=lead, heading=f"Edit {lead.email}")
        return context

    def get(self, request, *args, **kwargs):
        lead = self.lead()
        if not has_capability(request.role, "leads.edit"):
            raise PermissionDenied(f"Your role ({request.role}) may not edit leads.")
        return self.render_to_response(self.get_context_data(lead=lead))

    def post(self, request, pk: int):
        lead = self.lead()
        form = LeadForm(request.POST)
        if form.is_valid():
            clean, errors = clean_lead(form.service_data(editing=True), partial=True)
            try:
                if errors:
                    raise InvalidLeadData(errors)
                services.lead_update(lead=lead, actor=Actor.from_request(request), data=clean)
            except InvalidLeadData as error:
                _show_errors(form, error.errors)
            else:
                messages.success(request, f"Lead {lead.email} saved.")
                return redirect("leads:detail", tenant_slug=request.tenant.slug, pk=lead.pk)
        return self.render_to_response(self.get_context_data(form=form, lead=lead), status=400)


def assignable_emails() -> list[str]:
    """Who a lead may be given to: the same members `lead_assign` accepts."""
    from smarketing.tenancy.scope import require_tenant_id

    members = members_of(tenant=require_tenant_id(), roles=SALES_ROLES | LEADERSHIP_ROLES)
    return [m.user.email for m in members]


class LeadReassignForm(forms.Form):
    owner = forms.EmailField(
        label="New owner", error_messages={"required": "Choose the new owner."}
    )
    lead = forms.TypedMultipleChoiceField(
        coerce=int, widget=forms.MultipleHiddenInput, label="Leads",
        error_messages={"required": "Select at least one lead."},
    )  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        submitted = self.data.getlist("lead") if hasattr(self.data, "getlist") else []
        self.fields["lead"].choices = [(v, v) for v in submitted if str(v).isdigit()]


class LeadBulkReassignView(TenantPageMixin, View):
    """Managers give the selected leads to one owner; each lead succeeds or fails alone."""

    post_capability = "leads.assign"

    def post(self, request):
        back = list_url(request)
        # From a lead's page, back to it (only pages of this tenant's leads are accepted).
        wanted = request.POST.get("next", "")
        if wanted.startswith(back) and url_has_allowed_host_and_scheme(wanted, allowed_hosts=None):
            back = wanted
        form = LeadReassignForm(request.POST)
        if not form.is_valid():
            messages.error(request, first_error(form))
            return redirect(back)
        owner, ids = form.cleaned_data["owner"], form.cleaned_data["lead"]
        actor = Actor.from_request(request)
        outcome = BulkOutcome(target="assign")
        leads = {lead.pk: lead for lead in Lead.objects.filter(pk__in=ids).select_related("owner")}
        for pk in ids:
            lead = leads.get(pk)
            if lead is None:
                outcome.outcomes.append(LeadOutcome(pk, f"#{pk}", False, "not found"))
                continue
            try:
                with transaction.atomic():
                    services.lead_assign(lead=lead, owner_email=owner, actor=actor)
            except DomainError as error:
                outcome.outcomes.append(LeadOutcome(pk, lead.email, False, explain(error)))
            else:
                outcome.outcomes.append(LeadOutcome(pk, lead.email, True))
        level = messages.SUCCESS if not outcome.skipped else (
            messages.WARNING if outcome.moved else messages.ERROR)  # fmt: skip
        messages.add_message(request, level, f"To {owner}: {outcome.summary()}")
        if back != list_url(request):
            return redirect(back)  # one lead, from its page: the message says it all
        request.session[BULK_REPORT_KEY] = {
            "label": f"Reassign to {owner}",
            "rows": [{"id": o.lead_id, "email": o.email, "moved": o.moved, "reason": o.reason}
                     for o in outcome.outcomes[:BULK_REPORT_SHOWN]],
            "more": max(0, len(outcome.outcomes) - BULK_REPORT_SHOWN),
        }  # fmt: skip
        return redirect(back)
