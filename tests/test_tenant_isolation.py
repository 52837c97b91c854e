import pytest
from django.test import Client
from django.urls import clear_url_caches, path
from rest_framework import mixins, serializers
from rest_framework.test import APIClient

from smarketing.api.viewsets import TenantViewSet
from smarketing.tenancy.models import Membership
from smarketing.tenancy.roles import Role
from smarketing.tenancy.scope import cross_tenant_scope
from tests.factories import ApiKeyFactory
from tests.isolation import factories_by_model, object_param, routes

pytestmark = pytest.mark.django_db


def leaks(tenant_a, client_b, page_client_b, tenant_b_slug) -> list[str]:
    """Call every route with tenant B's credentials and tenant A's ids; list what is not 404."""
    registry = factories_by_model()
    problems: list[str] = []
    for route in routes("api/v1/"):
        param = object_param(route)
        if param is None:
            continue
        model = route.model
        if model not in registry:
            problems.append(f"{route.template}: no factory for {model} (add one to tests/)")
            continue
        obj = registry[model](tenant=tenant_a)
        url = route.path(**{param: obj.pk})
        for method in route.methods:
            response = getattr(client_b, method.lower())(url, {}, format="json")
            if response.status_code != 404:
                problems.append(f"{method} {url} answered {response.status_code}")
    for route in routes("t/{tenant_slug}/"):
        param = object_param(route)
        values = {"tenant_slug": tenant_a.slug}
        if param is not None:
            model = route.model
            if model not in registry:
                problems.append(f"{route.template}: no factory for {model} (add one to tests/)")
                continue
            values[param] = registry[model](tenant=tenant_a).pk
        # Tenant A's URL with tenant B's user: no membership there.
        for method in route.methods:
            response = getattr(page_client_b, method.lower())(route.path(**values))
            if response.status_code != 404:
                problems.append(f"{method} {route.path(**values)} answered {response.status_code}")
        if param is not None:
            # Tenant B's own URL with tenant A's object id.
            own = route.path(**{**values, "tenant_slug": tenant_b_slug})
            for method in route.methods:
                response = getattr(page_client_b, method.lower())(own)
                if response.status_code != 404:
                    problems.append(f"{method} {own} answered {response.status_code}")
    return problems


@pytest.mark.parametrize("role", [Role.ADMIN, Role.SALES_REP, "integration"])
def test_tenant_b_gets_404_for_every_object_of_tenant_a(tenant, other_tenant, member, role):
    client_b = APIClient()
    key_role = None if role == "integration" else role
    user_b = member(other_tenant, key_role or Role.ADMIN)
    issued = ApiKeyFactory.issue(tenant=other_tenant, user=user_b if key_role else None)
    client_b.credentials(HTTP_AUTHORIZATION=f"Bearer {issued.raw_key}")
    page_client_b = Client()
    page_client_b.force_login(user_b)
    assert leaks(tenant, client_b, page_client_b, other_tenant.slug) == []


def test_the_matrix_covers_routes_with_object_ids():
    api_routes = [r for r in routes("api/v1/") if object_param(r)]
    page_routes = routes("t/{tenant_slug}/")
    assert page_routes, "no tenant pages found: the matrix would prove nothing"
    for route in api_routes:
        assert route.model is not None, f"{route.template}: the view names no model"


class ForgetfulViewSet(mixins.RetrieveModelMixin, TenantViewSet):
    """A deliberately broken endpoint: it reaches across tenants and skips the filter."""

    class Serializer(serializers.ModelSerializer):
        class Meta:
            model = Membership
            fields = ["id", "role"]

    serializer_class = Serializer
    queryset = Membership.all_tenants.all()

    def filter_queryset(self, queryset):
        return queryset

    def get_object(self):
        with cross_tenant_scope():
            return Membership.all_tenants.get(pk=self.kwargs["pk"])


def test_the_matrix_reports_an_endpoint_that_forgets_its_scoping(
    tenant, other_tenant, member, api_client_for, settings
):
    from smarketing import urls as root

    broken = [path("api/v1/broken/<int:pk>/", ForgetfulViewSet.as_view({"get": "retrieve"}))]
    settings.ROOT_URLCONF = type("URLConf", (), {"urlpatterns": broken + root.urlpatterns})
    clear_url_caches()
    try:
        client_b = api_client_for(other_tenant, Role.ADMIN)
        page_client_b = Client()
        page_client_b.force_login(member(other_tenant, Role.ADMIN))
        problems = leaks(tenant, client_b, page_client_b, other_tenant.slug)
    finally:
        clear_url_caches()
    assert any(p.startswith("GET /api/v1/broken/") and p.endswith("200") for p in problems)
