"""Invitations: send, resend, revoke (admins), and the invitee's page at /invite/<token>/."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth import login
from django.shortcuts import redirect, render
from django.views import View

from smarketing.api.viewsets import SESSION_TENANT_KEY
from smarketing.errors import DomainError
from smarketing.tenancy.actors import Actor, client_ip
from smarketing.tenancy.errors import InvitationRefused
from smarketing.tenancy.invitations import services
from smarketing.tenancy.invitations.models import Invitation
from smarketing.tenancy.pages import AdminPageMixin, apply_errors
from smarketing.tenancy.roles import Role

MEMBERS_PAGE = "members:page"


class InviteForm(forms.Form):
    email = forms.EmailField(label="E-mail")
    role = forms.ChoiceField(choices=Role.choices, label="Role", initial=Role.SALES_REP)


class InviteActionView(AdminPageMixin, View):
    """Resend or revoke one invitation."""

    model = Invitation
    action = "resend"

    def post(self, request, pk: int):
        invitation = self.page_object  # found in the tenant by `TenantPageMixin`, or 404
        self.require_admin()
        actor = Actor.from_request(request)
        try:
            if self.action == "resend":
                services.invitation_resend(invitation=invitation, actor=actor)
                messages.success(request, f"A new link was sent to {invitation.email}.")
            else:
                services.invitation_revoke(invitation=invitation, actor=actor)
                messages.success(request, f"The invitation of {invitation.email} is revoked.")
        except DomainError as error:
            # Resending or revoking is refused as a whole (used, revoked), never by field.
            messages.error(request, error.detail)
        return redirect(MEMBERS_PAGE, tenant_slug=request.tenant.slug)


class AcceptForm(forms.Form):
    first_name = forms.CharField(max_length=150, label="First name", required=False)
    last_name = forms.CharField(max_length=150, label="Last name", required=False)
    password = forms.CharField(label="Password", widget=forms.PasswordInput, strip=False)


def accept_invitation(request, token: str):
    """The invitee's page: not logged in, the token is the only credential."""
    try:
        found = services.invitation_from_token(token)
    except InvitationRefused as error:
        return render(request, "settings/invite_refused.html", {"detail": error.detail}, status=410)
    form = AcceptForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            membership = services.invitation_accept(
                token=token, ip=client_ip(request), request=request, **form.cleaned_data
            )
        except InvitationRefused as error:
            return render(request, "settings/invite_refused.html", {"detail": error.detail},
                          status=410)  # fmt: skip
        except DomainError as error:
            apply_errors(form, error)
        else:
            login(request, membership.user, backend="django.contrib.auth.backends.ModelBackend")
            request.session[SESSION_TENANT_KEY] = found.invitation.tenant.slug
            return redirect(landing_for(found.invitation.tenant.slug, membership.role))
    context = {"form": form, "invitation": found.invitation, "has_account": found.has_account}
    return render(request, "settings/invite_accept.html", context,
                  status=400 if form.errors else 200)  # fmt: skip


def landing_for(slug: str, role: str) -> str:
    """Where a new member starts: reps at their queue, everyone else at the tenant's home."""
    return f"/t/{slug}/queue/" if role == Role.SALES_REP else f"/t/{slug}/"
