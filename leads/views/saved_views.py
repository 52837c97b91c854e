"""Save the lead list's current filters and columns under a name; delete one's own."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse
from django.views import View

from leads.errors import InvalidLeadData
from leads.saved_views.models import SavedView
from leads.saved_views.services import (
    saved_view_create,
    saved_view_delete,
    saved_view_may_delete,
    saved_views_visible,
)
from smarketing.tenancy.actors import Actor
from smarketing.tenancy.views import TenantPageMixin


def _list_url(request, query: str = "") -> str:
    url = reverse("leads:list", kwargs={"tenant_slug": request.tenant.slug})
    return f"{url}?{query}" if query else url


class SavedViewCreateView(TenantPageMixin, View):
    def post(self, request):
        query = request.POST.get("query", "")
        try:
            saved = saved_view_create(
                tenant=request.tenant, actor=Actor.from_request(request),
                name=request.POST.get("name", ""), query=query,
                columns=request.POST.getlist("cols"), shared=request.POST.get("shared") == "on",
            )  # fmt: skip
        except InvalidLeadData as error:
            messages.error(request, f"The view was not saved: {error.errors['name'][0]}")
            return redirect(_list_url(request, query))
        messages.success(request, f"Saved the view “{saved.name}”.")
        return redirect(_list_url(request, saved.applied_query))


class SavedViewDeleteView(TenantPageMixin, View):
    model = SavedView

    def page_object_queryset(self):
        # Another tenant's view, or a colleague's private one, does not exist for the caller.
        return saved_views_visible(actor=Actor.from_request(self.request))

    def post(self, request, pk: int):
        actor = Actor.from_request(request)
        saved = self.page_object
        if not saved_view_may_delete(saved_view=saved, actor=actor):
            raise PermissionDenied("Only the person who saved a view deletes it.")
        saved_view_delete(saved_view=saved, actor=actor)
        messages.success(request, f"Deleted the view “{saved.name}”.")
        return redirect(_list_url(request))
