"""API keys page: create a user or integration key (the secret shown once), revoke."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.db.models import F
from django.shortcuts import redirect
from django.views import View
from django.views.generic import TemplateView

from smarketing.errors import DomainError
from smarketing.tenancy.actors import Actor
from smarketing.tenancy.models import ApiKey
from smarketing.tenancy.pages import AdminPageMixin, apply_errors
from smarketing.tenancy.selectors import members_of
from smarketing.tenancy.services import api_key_revoke
from smarketing.tenancy.team_api import issue_api_key


class ApiKeyForm(forms.Form):
    name = forms.CharField(max_length=100, label="Name")
    kind = forms.ChoiceField(
        choices=[("user", "User key: acts as a member, with their role"),
                 ("integration", "Integration key: upserts leads and events, reads")],
        label="Kind", widget=forms.RadioSelect, initial="integration",
    )  # fmt: skip
    user = forms.ChoiceField(label="Member (for a user key)", required=False)

    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].choices = [("", "—")] + [(e, e) for e in members]

    def clean(self):
        data = super().clean()
        if data.get("kind") == "user" and not data.get("user"):
            self.add_error("user", "Choose the member the key acts as.")
        return data


class ApiKeysPageView(AdminPageMixin, TemplateView):
    template_name = "settings/api_keys.html"
    capability = "tenant.admin"

    def members(self) -> list[str]:
        return [m.user.email for m in members_of(tenant=self.request.tenant)]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        # Live keys first (PostgreSQL sorts NULLs last unless told), newest first.
        context["keys"] = ApiKey.objects.select_related("user").order_by(
            F("revoked_at").asc(nulls_first=True), "-id"
        )
        context.setdefault("form", ApiKeyForm(members=self.members()))
        return context

    def post(self, request):
        form = ApiKeyForm(request.POST, members=self.members())
        if form.is_valid():
            data = form.cleaned_data
            try:
                # An integration key reads no member from `user` (issue_api_key).
                issued = issue_api_key(
                    request=request, name=data["name"], kind=data["kind"], email=data["user"]
                )
            except DomainError as error:
                apply_errors(form, error)
            else:
                # The secret is in this answer only; it is stored hashed.
                return self.render_to_response(
                    self.get_context_data(new_key=issued.api_key, new_secret=issued.raw_key)
                )
        return self.render_to_response(self.get_context_data(form=form), status=400)


class ApiKeyRevokeView(AdminPageMixin, View):
    model = ApiKey

    def post(self, request, pk: int):
        api_key = self.page_object  # found in the tenant by `TenantPageMixin`, or 404
        self.require_admin()
        api_key_revoke(api_key=api_key, actor=Actor.from_request(request))
        messages.success(request, f"The key {api_key.name} is revoked.")
        return redirect("settings:api-keys", tenant_slug=request.tenant.slug)
