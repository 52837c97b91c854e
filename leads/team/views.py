"""Members page (/t/<slug>/settings/members/) and rejection reasons page (admins).

Admins change roles, deactivate and invite; managers set a rep away and their capacity.
The page asks the same predicates the services enforce.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.views import View
from django.views.generic import TemplateView

from leads.models import RejectionReason
from leads.team import selectors, services
from leads.views.actions import explain
from smarketing.errors import DomainError
from smarketing.tenancy.actors import Actor
from smarketing.tenancy.invitations.models import Invitation
from smarketing.tenancy.members.services import may_manage_members, may_set_availability
from smarketing.tenancy.models import Membership
from smarketing.tenancy.roles import Role, has_capability
from smarketing.tenancy.views import TenantPageMixin


def _form_errors(form: forms.Form) -> str:
    return " ".join(error for errors in form.errors.values() for error in errors)


class MemberForm(forms.Form):
    role = forms.ChoiceField(choices=Role.choices, label="Role", required=False)
    away = forms.BooleanField(label="Away", required=False)
    capacity = forms.IntegerField(min_value=1, max_value=1000, required=False, label="Capacity")


class MembersPageView(TenantPageMixin, TemplateView):
    template_name = "settings/members.html"
    capability = "members.availability"

    def get_context_data(self, **kwargs):
        from smarketing.tenancy.pages.invites import InviteForm

        context = super().get_context_data(**kwargs)
        role = self.request.role
        context.update(
            rows=selectors.member_rows(tenant=self.request.tenant),
            roles=Role.choices,
            can_manage=may_manage_members(role),
            can_set_availability=may_set_availability(role),
        )
        if may_manage_members(role):
            context.setdefault("invite_form", InviteForm())
            context["invitations"] = Invitation.objects.filter(
                accepted_at__isnull=True, revoked_at__isnull=True
            ).order_by("-sent_at")
        return context

    def post(self, request):
        """Invite someone (admins); a refusal shows beside the field it is about."""
        from smarketing.tenancy.invitations.services import invitation_create
        from smarketing.tenancy.pages import apply_errors
        from smarketing.tenancy.pages.invites import InviteForm

        if not may_manage_members(request.role):
            raise PermissionDenied(f"Your role ({request.role}) may not invite people.")
        form = InviteForm(request.POST)
        if form.is_valid():
            try:
                invitation = invitation_create(
                    tenant=request.tenant, actor=Actor.from_request(request), **form.cleaned_data
                )
            except DomainError as error:
                apply_errors(form, error)
            else:
                messages.success(request, f"Invitation sent to {invitation.email}.")
                return redirect("members:page", tenant_slug=request.tenant.slug)
        return self.render_to_response(self.get_context_data(invite_form=form), status=400)


class MemberChangeView(TenantPageMixin, View):
    """One member's row: role (admins), away and capacity (managers and admins), or
    deactivate/reactivate (admins) with the `is_active` button."""

    model = Membership

    def post(self, request, pk: int):
        membership = get_object_or_404(Membership.objects.select_related("user"), pk=pk)
        if not may_set_availability(request.role):
            raise PermissionDenied(f"Your role ({request.role}) may not change members.")
        form = MemberForm(request.POST)
        if not form.is_valid():
            messages.error(request, _form_errors(form))
            return redirect("members:page", tenant_slug=request.tenant.slug)
        data = {}
        if "is_active" in request.POST:
            data["is_active"] = request.POST["is_active"] == "1"
        else:
            if form.cleaned_data["role"] and form.cleaned_data["role"] != membership.role:
                data["role"] = form.cleaned_data["role"]
            if "away_present" in request.POST:
                data["away"] = form.cleaned_data["away"]
            if "capacity_present" in request.POST:
                data["capacity"] = form.cleaned_data["capacity"]
        try:
            services.team_member_update(
                membership=membership, actor=Actor.from_request(request), data=data
            )
        except DomainError as error:
            messages.error(request, f"{membership.user.email}: {explain(error)}")
        else:
            messages.success(request, f"{membership.user.email} updated.")
        return redirect("members:page", tenant_slug=request.tenant.slug)


class ReasonForm(forms.Form):
    code = forms.SlugField(max_length=50, label="Code", required=False)
    label = forms.CharField(max_length=100, label="Label")
    position = forms.IntegerField(min_value=0, max_value=1000, required=False, label="Order")
    active = forms.BooleanField(required=False, label="Active")


class RejectionReasonsPageView(TenantPageMixin, TemplateView):
    template_name = "settings/rejection_reasons.html"
    capability = "tenant.admin"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        reasons = list(RejectionReason.objects.order_by("position", "label"))
        context["reasons"] = [(r, services.rejection_reason_in_use(r)) for r in reasons]
        context.setdefault("form", ReasonForm(initial={"active": True}))
        return context

    def post(self, request):
        form = ReasonForm(request.POST)
        if form.is_valid():
            data = {k: v for k, v in form.cleaned_data.items() if v is not None}
            try:
                services.rejection_reason_create(
                    tenant=request.tenant, actor=Actor.from_request(request), data=data
                )
            except DomainError as error:
                for name, problems in (getattr(error, "errors", None) or {}).items():
                    form.add_error(name if name in form.fields else None, list(problems))
            else:
                messages.success(request, f"Reason {form.cleaned_data['label']} added.")
                return redirect("reasons:page", tenant_slug=request.tenant.slug)
        return self.render_to_response(self.get_context_data(form=form), status=400)


class RejectionReasonChangeView(TenantPageMixin, View):
    model = RejectionReason

    def post(self, request, pk: int):
        reason = get_object_or_404(RejectionReason.objects, pk=pk)
        if not has_capability(request.role, "tenant.admin"):
            raise PermissionDenied(f"Your role ({request.role}) may not change reasons.")
        actor = Actor.from_request(request)
        try:
            if request.POST.get("delete"):
                services.rejection_reason_delete(reason=reason, actor=actor)
                messages.success(request, f"Reason {reason.label} deleted.")
            else:
                form = ReasonForm(request.POST)
                if not form.is_valid():
                    messages.error(request, _form_errors(form))
                    return redirect("reasons:page", tenant_slug=request.tenant.slug)
                data = {"label": form.cleaned_data["label"], "active": form.cleaned_data["active"]}
                if form.cleaned_data["position"] is not None:
                    data["position"] = form.cleaned_data["position"]
                services.rejection_reason_update(reason=reason, actor=actor, data=data)
                messages.success(request, f"Reason {reason.code} saved.")
        except DomainError as error:
            messages.error(request, f"{reason.code}: {explain(error)}")
        return redirect("reasons:page", tenant_slug=request.tenant.slug)
