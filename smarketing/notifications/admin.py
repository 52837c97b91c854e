from django.contrib import admin

from smarketing.notifications.models import Notification
from smarketing.tenancy.admin import CrossTenantAdmin


@admin.register(Notification)
class NotificationAdmin(CrossTenantAdmin):
    list_display = ("title", "kind", "user", "tenant", "created_at", "read_at", "emailed_at")
    list_filter = ("kind",)
    search_fields = ("title", "user__email")
    readonly_fields = ("event_id", "created_at", "read_at", "emailed_at")

    def get_queryset(self, request):
        return Notification.all_tenants.select_related("user", "tenant")
