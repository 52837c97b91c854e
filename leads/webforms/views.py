"""Pages under /t/<slug>/forms/: the list, the editor, and the snippet to embed."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.views.generic import TemplateView

from leads.webforms import services
from leads.webforms.errors import InvalidForm
from leads.webforms.forms import WebFormEditForm
from leads.webforms.models import WebForm
from leads.webforms.presenters import embed_snippets
from smarketing.tenancy.actors import Actor
from smarketing.tenancy.roles import has_capability
from smarketing.tenancy.views import TenantPageMixin


class WebFormListView(TenantPageMixin, TemplateView):
    template_name = "webforms/list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            forms=WebForm.objects.select_related("campaign").order_by("name"),
            can_manage=has_capability(self.request.role, "forms.manage"),
        )
        return context


class WebFormEditView(TenantPageMixin, TemplateView):
    """New form (no pk) or an existing one: the editor, and its embed snippet."""

    template_name = "webforms/edit.html"
    isolation_model = WebForm

    def _form(self) -> WebForm | None:
        pk = self.kwargs.get("pk")
        return get_object_or_404(WebForm.objects.select_related("campaign"), pk=pk) if pk else None

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        web_form = kwargs.get("web_form", self._form())
        if "editor" not in kwargs:
            initial = (
                WebFormEditForm.initial_for(web_form)
                if web_form
                else {
                    "fields": ["email", "first_name", "last_name", "company"],
                    "required": ["email"],
                }
            )
            context["editor"] = WebFormEditForm(initial=initial)
        context.update(
            web_form=web_form,
            can_manage=has_capability(self.request.role, "forms.manage"),
            snippets=embed_snippets(web_form, base_url=self.request.build_absolute_uri("/"))
            if web_form else None,
        )  # fmt: skip
        return context

    def post(self, request, pk=None):
        web_form = self._form()  # another tenant's form is a 404 before the role is asked
        if not has_capability(request.role, "forms.manage"):
            raise PermissionDenied(f"Your role ({request.role}) may not change forms.")
        editor = WebFormEditForm(request.POST)
        if editor.is_valid():
            actor = Actor.from_request(request)
            try:
                if web_form is None:
                    web_form = services.webform_create(
                        tenant=request.tenant, actor=actor, data=editor.service_data()
                    )
                else:
                    services.webform_update(form=web_form, actor=actor, data=editor.service_data())
            except InvalidForm as invalid:
                for name, problems in invalid.errors.items():
                    editor.add_error(name if name in editor.fields else None, problems)
            else:
                messages.success(request, f"Form “{web_form.name}” saved.")
                return redirect("webforms:edit", tenant_slug=request.tenant.slug, pk=web_form.pk)
        context = self.get_context_data(editor=editor, web_form=web_form)
        return self.render_to_response(context)
