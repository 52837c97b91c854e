"""Settings pages of the core under /t/<slug>/settings/: API keys, tenant, audit, invitations.

Every page asks the capability the services enforce; objects behind an id are looked up in
the tenant first, so another tenant's id is a 404 before a role is a 403.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import PermissionDenied

from smarketing.errors import DomainError
from smarketing.tenancy.roles import has_capability
from smarketing.tenancy.views import TenantPageMixin


def apply_errors(form: forms.Form, error: DomainError) -> None:
    """A service's field errors beside their fields; the rest above the form."""
    errors = getattr(error, "errors", None) or {None: [error.detail]}
    for name, problems in errors.items():
        form.add_error(name if name in form.fields else None, list(problems))


class AdminPageMixin(TenantPageMixin):
    """Admins only: 403 for other roles (after any object lookup in `admin_check`)."""

    admin_capability = "tenant.admin"

    def require_admin(self) -> None:
        if not has_capability(self.request.role, self.admin_capability):
            raise PermissionDenied(f"Your role ({self.request.role}) may not manage this.")
