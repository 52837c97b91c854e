from django.urls import path
from rest_framework.routers import SimpleRouter

from smarketing.tenancy import team_api

router = SimpleRouter()
router.register("audit", team_api.AuditEntryViewSet, basename="audit")
router.register("invites", team_api.InvitationViewSet, basename="invite")
router.register("api-keys", team_api.ApiKeyViewSet, basename="api-key")

urlpatterns = [
    path("tenant/", team_api.TenantSettingsView.as_view(), name="tenant-settings"),
    *router.urls,
]
