"""The CSV import page: upload, a live progress panel, the error report, recent imports."""

from django import forms
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views import View

from leads.imports.downloads import error_report_response
from leads.imports.models import LeadImport
from leads.imports.selectors import lead_imports_recent
from leads.imports.services import InvalidImportFile, lead_import_start
from smarketing.tenancy.actors import Actor
from smarketing.tenancy.views import TenantPageMixin

CAPABILITY = "leads.import"


class ImportForm(forms.Form):
    file = forms.FileField(
        label="CSV file",
        error_messages={
            "required": "Choose a CSV file to import.",
            "empty": "The file is empty: there is nothing to import.",
        },
    )


def _page(request, *, form: ImportForm, lead_import: LeadImport | None = None, status: int = 200):
    context = {"form": form, "lead_import": lead_import, "recent": lead_imports_recent()}
    return render(request, "leads/import.html", context, status=status)


class LeadImportPageView(TenantPageMixin, View):
    capability = CAPABILITY

    def get(self, request):
        return _page(request, form=ImportForm())

    def post(self, request):
        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                lead_import = lead_import_start(
                    tenant=request.tenant,
                    actor=Actor.member(request.user, request.role),
                    uploaded_file=form.cleaned_data["file"],
                )
            except InvalidImportFile as exc:
                form.add_error("file", exc.detail)
            else:
                return redirect(
                    reverse(
                        "lead_imports:detail",
                        kwargs={"tenant_slug": request.tenant.slug, "pk": lead_import.pk},
                    )
                )
        return _page(request, form=form, status=400)


class LeadImportDetailView(TenantPageMixin, View):
    """The page again, with the status panel of one import."""

    model = LeadImport
    capability = CAPABILITY

    def get(self, request, pk: int):
        lead_import = self.page_object
        return _page(request, form=ImportForm(), lead_import=lead_import)


class LeadImportProgressView(TenantPageMixin, View):
    """The status panel alone; the page polls it every second until the import finishes."""

    model = LeadImport
    capability = CAPABILITY

    def get(self, request, pk: int):
        lead_import = self.page_object
        panel = render(request, "leads/_import_status.html", {"lead_import": lead_import})
        if lead_import.is_finished:
            # The last poll also refreshes "Recent imports", which was drawn while it ran.
            recent = render(
                request,
                "leads/_import_recent.html",
                {"recent": lead_imports_recent(), "oob": True},
            )
            panel.content += recent.content
        return panel


class LeadImportErrorsView(TenantPageMixin, View):
    model = LeadImport
    capability = CAPABILITY

    def get(self, request, pk: int):
        lead_import = self.page_object
        if not lead_import.is_finished:
            raise Http404("The error report is ready when the import has finished.")
        return error_report_response(lead_import)
