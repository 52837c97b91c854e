"""The settings index, the tenant's own settings, and the audit log page."""

from __future__ import annotations

from zoneinfo import available_timezones

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect
from django.views.generic import TemplateView

from smarketing.countries import country_names
from smarketing.errors import DomainError
from smarketing.tenancy.actors import Actor
from smarketing.tenancy.audit_selectors import audit_entries, parse_moment
from smarketing.tenancy.pages import AdminPageMixin, apply_errors
from smarketing.tenancy.tenant_settings import tenant_update
from smarketing.tenancy.views import TenantPageMixin

AUDIT_PER_PAGE = 50


class SettingsIndexView(TenantPageMixin, TemplateView):
    """What each role may set up; managers see their part, others get a 403."""

    template_name = "settings/index.html"
    capability = "members.availability"


class TenantForm(forms.Form):
    name = forms.CharField(max_length=200, label="Name")
    timezone = forms.ChoiceField(label="Time zone")
    country = forms.ChoiceField(label="Country", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["timezone"].choices = [(z, z) for z in sorted(available_timezones())]
        names = sorted(country_names().items(), key=lambda item: item[1])
        self.fields["country"].choices = [("", "—")] + [(c, f"{n} ({c})") for c, n in names]


class TenantSettingsPageView(AdminPageMixin, TemplateView):
    template_name = "settings/tenant.html"
    capability = "tenant.admin"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        tenant = self.request.tenant
        context.setdefault(
            "form",
            TenantForm(initial={"name": tenant.name, "timezone": tenant.timezone,
                                "country": tenant.country}),
        )  # fmt: skip
        return context

    def post(self, request):
        form = TenantForm(request.POST)
        if form.is_valid():
            try:
                tenant_update(
                    tenant=request.tenant, actor=Actor.from_request(request), data=form.cleaned_data
                )
            except DomainError as error:
                apply_errors(form, error)
            else:
                messages.success(request, "Settings saved.")
                return redirect("settings:tenant", tenant_slug=request.tenant.slug)
        return self.render_to_response(self.get_context_data(form=form), status=400)


DATE = forms.DateInput({"type": "date"})


class AuditFilterForm(forms.Form):
    actor = forms.CharField(required=False, label="Who (e-mail or system)")
    action = forms.CharField(required=False, label="Action (e.g. member or member.role_changed)")
    date_from = forms.DateField(required=False, label="From", widget=DATE)
    date_to = forms.DateField(required=False, label="To", widget=DATE)


class AuditPageView(AdminPageMixin, TemplateView):
    template_name = "settings/audit.html"
    capability = "tenant.admin"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = AuditFilterForm(self.request.GET or None)
        filters = {}
        if form.is_bound and form.is_valid():
            data = form.cleaned_data
            since, until = data["date_from"], data["date_to"]
            filters = {
                "actor": data["actor"],
                "action": data["action"],
                "since": parse_moment(since.isoformat()) if since else None,
                "until": parse_moment(until.isoformat(), end=True) if until else None,
            }
        entries = audit_entries(**filters)
        page = Paginator(entries, AUDIT_PER_PAGE).get_page(self.request.GET.get("page"))
        query = self.request.GET.copy()
        query.pop("page", None)
        context.update(form=form, page=page, entries=page.object_list, query=query.urlencode())
        return context
