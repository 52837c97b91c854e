"""The mapping step of a CSV import page: the first rows, a target per column, then import.

The uploaded file waits in storage (named in the session) between the preview and the
confirmation; the import itself is the same service as without a mapping.
"""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.core.files.storage import default_storage
from django.shortcuts import redirect, render
from django.views import View

from leads.imports.csvfile import MAX_FILE_BYTES, MalformedFile
from leads.imports.mapping import (
    CAMPAIGN_BY_NAME,
    IGNORE,
    InvalidMapping,
    import_mapping_save,
    import_preview,
    target_choices,
)
from leads.imports.services import InvalidImportFile, lead_import_start
from smarketing.tenancy.actors import Actor
from smarketing.tenancy.views import TenantPageMixin

SESSION_KEY = "import_mapping_file"


def _stored(request) -> dict | None:
    held = request.session.get(SESSION_KEY)
    if not held or held.get("tenant") != request.tenant.pk:
        return None
    return held if default_storage.exists(held["path"]) else None


class LeadImportMappingView(TenantPageMixin, View):
    capability = "leads.import"

    def _render(self, request, held: dict, *, chosen=None, errors=None):
        with default_storage.open(held["path"], "rb") as stored:
            preview = import_preview(uploaded_file=stored)
        saved = preview["saved_mappings"]
        use = request.GET.get("saved")
        chosen = chosen or (saved.get(use) if use in saved else None) or preview["mapping"]
        columns = []
        for index, header in enumerate(preview["header"]):
            choices = [*target_choices(), (f"custom:{header}"[:71], f"Custom field “{header}”")]
            columns.append({"index": index, "header": header, "choices": choices,
                            "chosen": chosen.get(header, IGNORE),
                            "errors": (errors or {}).get(f"mapping.{header}", [])})  # fmt: skip
        context = {"file_name": held["name"], "columns": columns, "rows": preview["rows"],
                   "saved": sorted(saved), "errors": (errors or {}).get("mapping", []),
                   "campaign_by_name": CAMPAIGN_BY_NAME}  # fmt: skip
        return render(request, "leads/import_mapping.html", context)

    def get(self, request):
        held = _stored(request)
        if held is None:
            return redirect("lead_imports:page", tenant_slug=request.tenant.slug)
        return self._render(request, held)

    def post(self, request):
        if "file" in request.FILES:  # step 1: keep the file, show the preview
            upload = request.FILES["file"]
            if upload.size > MAX_FILE_BYTES:
                messages.error(request, "The file is larger than 50 MB: split it first.")
                return redirect("lead_imports:page", tenant_slug=request.tenant.slug)
            path = default_storage.save(
                f"imports/{request.tenant.pk}/previews/{uuid.uuid4().hex}.csv", upload
            )
            request.session[SESSION_KEY] = {"tenant": request.tenant.pk, "path": path,
                                            "name": upload.name[:255]}  # fmt: skip
            return redirect("lead_imports:mapping", tenant_slug=request.tenant.slug)
        held = _stored(request)
        if held is None:
            return redirect("lead_imports:page", tenant_slug=request.tenant.slug)
        with default_storage.open(held["path"], "rb") as stored:
            header = import_preview(uploaded_file=stored)["header"]
        mapping = {h: request.POST.get(f"column_{i}", IGNORE) for i, h in enumerate(header)}
        actor = Actor.member(request.user, request.role)
        try:
            if request.POST.get("save_as", "").strip():
                import_mapping_save(tenant=request.tenant, name=request.POST["save_as"],
                                    mapping=mapping)  # fmt: skip
            with default_storage.open(held["path"], "rb") as stored:
                stored.name = held["name"]
                lead_import = lead_import_start(
                    tenant=request.tenant, actor=actor, uploaded_file=stored, mapping=mapping,
                    create_campaigns=request.POST.get("create_campaigns") == "on",
                )  # fmt: skip
        except InvalidMapping as invalid:
            return self._render(request, held, chosen=mapping, errors=invalid.errors)
        except (InvalidImportFile, MalformedFile) as refused:
            messages.error(request, str(getattr(refused, "detail", refused)))
            return redirect("lead_imports:page", tenant_slug=request.tenant.slug)
        default_storage.delete(held["path"])
        request.session.pop(SESSION_KEY, None)
        return redirect("lead_imports:detail", tenant_slug=request.tenant.slug, pk=lead_import.pk)
