"""Pages under /t/<slug>/: the tenant comes from the URL and the user's membership."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views import View

from smarketing.api.viewsets import SESSION_TENANT_KEY
from smarketing.tenancy.roles import has_capability
from smarketing.tenancy.scope import tenant_scope
from smarketing.tenancy.selectors import membership_in, memberships_of, tenant_by_slug


class TenantPageMixin(LoginRequiredMixin):
    """Resolves `request.tenant`, `request.membership` and `request.role` from the URL.

    No membership in the tenant answers 404: a page never reveals that a tenant exists.
    Times render in the tenant's timezone.

    Then, in this order, as the API base does:
    1. the object behind `pk` (when the view names its `model`) is found in the tenant, or
       404: another tenant's id is a 404 whatever the role, never a 403;
    2. `capability` is checked for every method, `post_capability` for POST (else 403).
    The object found is `self.page_object`.
    """

    capability: str = "read"
    post_capability: str | None = None
    model: type[Model] | None = None
    page_object: Model | None = None

    def page_object_queryset(self) -> QuerySet:
        """Where `pk` is looked up; the default manager scopes it to the tenant."""
        return self.model.objects.all()

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        tenant = tenant_by_slug(slug=kwargs.pop("tenant_slug"))
        membership = membership_in(user=request.user, tenant=tenant) if tenant else None
        if membership is None:
            raise Http404("No such tenant.")
        request.tenant, request.membership, request.role = tenant, membership, membership.role
        if request.session.get(SESSION_TENANT_KEY) != tenant.slug:
            # Only when it changes: a saved session is a write, and on the embedded SQLite
            # every write waits its turn for the one write lock (a running import holds it).
            request.session[SESSION_TENANT_KEY] = tenant.slug
        # Times on the pages (and naive times typed into forms) are the tenant's local time.
        with tenant_scope(tenant), timezone.override(tenant.timezone or "UTC"):
            if self.model is not None and kwargs.get("pk") is not None:
                self.page_object = get_object_or_404(self.page_object_queryset(), pk=kwargs["pk"])
            needed = (
                self.post_capability
                if request.method == "POST" and self.post_capability
                else self.capability
            )
            if not has_capability(membership.role, needed):
                raise PermissionDenied(f"Your role ({membership.role}) may not open this page.")
            response = super().dispatch(request, *args, **kwargs)
            # Templates render lazily; render them while the scope is still open.
            if hasattr(response, "render") and callable(response.render):
                response.render()
            return response


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
