from functools import wraps

from django.contrib import admin

from smarketing.tenancy.models import ApiKey, Membership, Tenant
from smarketing.tenancy.scope import cross_tenant_scope


class CrossTenantAdmin(admin.ModelAdmin):
    """The admin is an operator's tool and spans tenants deliberately.

    Every view of it runs in `cross_tenant_scope()`, its template rendered inside too (the
    rows are read while rendering): on PostgreSQL, row-level security otherwise shows an
    operator no rows at all.
    """

    def get_queryset(self, request):
        return self.model.all_tenants.all()

    def get_urls(self):
        urls = super().get_urls()
        for pattern in urls:
            pattern.callback = _across_tenants(pattern.callback)
        return urls


def _across_tenants(view):
    @wraps(view)
    def run(request, *args, **kwargs):
        with cross_tenant_scope():
            response = view(request, *args, **kwargs)
            if hasattr(response, "render") and not response.is_rendered:
                response.render()
        return response

    return run


@admin.register(Tenant)
class TenantAdmin(admin.ModelAdmin):
    list_display = ["slug", "name", "timezone", "country", "created_at"]
    search_fields = ["slug", "name"]


@admin.register(Membership)
class MembershipAdmin(CrossTenantAdmin):
    list_display = ["user", "tenant", "role", "is_away"]
    list_filter = ["role", "tenant"]


@admin.register(ApiKey)
class ApiKeyAdmin(CrossTenantAdmin):
    list_display = ["name", "prefix", "tenant", "user", "last_used_at", "revoked_at"]
    readonly_fields = ["prefix", "hashed_key", "last_used_at"]
