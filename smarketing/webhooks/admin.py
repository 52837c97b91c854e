from django.contrib import admin

from smarketing.tenancy.admin import CrossTenantAdmin
from smarketing.webhooks.models import WebhookDelivery, WebhookEndpoint


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(CrossTenantAdmin):
    list_display = ["url", "tenant", "enabled", "created_at"]
    list_filter = ["enabled"]
    exclude = ["secret", "previous_secret"]  # the tenant's admins saw them once; operators never


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(CrossTenantAdmin):
    list_display = [
        "event_type",
        "endpoint",
        "status",
        "attempts",
        "response_status",
        "next_attempt_at",
    ]
    list_filter = ["status"]
    raw_id_fields = ["endpoint", "event"]
