"""Pages under /t/<slug>/: the tenant comes from the URL and the user's membership."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views import View
from django.views.generic import TemplateView

from smarketing.api.viewsets import SESSION_TENANT_KEY
from smarketing.tenancy.roles import has_capability
from smarketing.tenancy.scope import tenant_scope
from smarketing.tenancy.selectors import membership_in, memberships_of, tenant_by_slug


class TenantPageMixin(LoginRequiredMixin):
    """Resolves `request.tenant`, `request.membership` and `request.role` from the URL.

    No membership in the tenant answers 404: a page never reveals that a tenant exists.
    Times render in the tenant's timezone. `capability` (optional) is checked for every
    method; `post_capability` for POST.
    """

    capability: str = "read"
    post_capability: str | None = None

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        tenant = tenant_by_slug(slug=kwargs.pop("tenant_slug"))
        membership = membership_in(user=request.user, tenant=tenant) if tenant else None
        if membership is None:
            raise Http404("No such tenant.")
        request.tenant, request.membership, request.role = tenant, membership, membership.role
        request.session[SESSION_TENANT_KEY] = tenant.slug
        needed = (
            self.post_capability
            if request.method == "POST" and self.post_capability
            else self.capability
        )
        if not has_capability(membership.role, needed):
            raise PermissionDenied(f"Your role ({membership.role}) may not open this page.")
        # Times on the pages (and naive times typed into forms) are the tenant's local time.
        with tenant_scope(tenant), timezone.override(tenant.timezone or "UTC"):
            response = super().dispatch(request, *args, **kwargs)
            # Templates render lazily; render them while the scope is still open.
            if hasattr(response, "render") and callable(response.render):
                response.render()
            return response


class TenantHomeView(TenantPageMixin, TemplateView):
    template_name = "tenancy/home.html"


def landing(request):
    """After login: the user's tenant (the last one opened, else the first), or a chooser."""
    if not request.user.is_authenticated:
        return redirect("login")
    memberships = memberships_of(user=request.user)
    if not memberships:
        return render(request, "tenancy/no_tenant.html", status=200)
    last = request.session.get(SESSION_TENANT_KEY)
    chosen = next((m for m in memberships if m.tenant.slug == last), memberships[0])
    return redirect(home_url_for(chosen))


def home_url_for(membership) -> str:
    return f"/t/{membership.tenant.slug}/"


class SwitchTenantView(LoginRequiredMixin, View):
    def post(self, request):
        tenant = tenant_by_slug(slug=request.POST.get("tenant", ""))
        if tenant is None or membership_in(user=request.user, tenant=tenant) is None:
            raise Http404("No such tenant.")
        request.session[SESSION_TENANT_KEY] = tenant.slug
        return redirect(f"/t/{tenant.slug}/")
