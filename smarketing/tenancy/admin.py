from django.contrib import admin

from smarketing.tenancy.models import ApiKey, Membership, Tenant


class CrossTenantAdmin(admin.ModelAdmin):
    """The admin is an operator's tool and spans tenants deliberately."""

    def get_queryset(self, request):
        return self.model.all_tenants.all()


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
