"""The root URL conf: the composition point of every app's pages and API routes."""

from csp.decorators import csp_update
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from smarketing.accounts.views import PasswordResetConfirmView
from smarketing.health import healthz
from smarketing.tenancy import urls as tenancy_urls
from smarketing.tenancy.api import MeView

# Swagger UI: its start-up script is served as a file (the split view), so `script-src 'self'`
# holds; its stylesheet is inline and it draws icons as data: images, so this page alone
# allows inline styles.
api_docs = csp_update({"style-src": ["'unsafe-inline'"]})(
    SpectacularSwaggerSplitView.as_view(url_name="schema")
)

# Every page of a tenant lives under /t/<slug>/; each app contributes its patterns here.
tenant_patterns = [
    path("", include((tenancy_urls.tenant_urlpatterns, "tenant"))),
    path("", include("leads.urls")),
    path("personas/", include("personas.urls")),
    path("settings/webhooks/", include("smarketing.webhooks.urls")),
    path("settings/", include((tenancy_urls.settings_urlpatterns, "settings"))),
    path("notifications/", include("smarketing.notifications.urls")),
    path("meetings/", include("meetings.urls")),
    path("sla/", include("sla.urls")),
    path("goals/", include("sla.goals.urls")),
    path("forms/", include("leads.webforms.urls")),
]

api_v1_patterns = [
    path("me/", MeView.as_view(), name="me"),
    path("", include("leads.api_urls")),
    path("", include("personas.api_urls")),
    path("", include("smarketing.webhooks.api_urls")),
    path("", include("smarketing.notifications.api_urls")),
    path("", include("sla.api_urls")),
    path("", include("sla.goals.api_urls")),
    path("", include("meetings.api_urls")),
    path("", include("smarketing.tenancy.api_urls")),
]

urlpatterns = [
    path("", include(tenancy_urls)),
    path("t/<slug:tenant_slug>/", include(tenant_patterns)),
    path("api/v1/", include(api_v1_patterns)),
    # Each person's calendar feed: no login, the secret token names the person and tenant.
    path("cal/", include("meetings.feed_urls")),
    # Public web forms: no login, the form's key names the tenant.
    path("f/", include(("leads.webforms.public_urls", "webforms-public"))),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", api_docs, name="api-docs"),
    path(
        "accounts/reset/<uidb64>/<token>/",
        PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path("accounts/", include("django.contrib.auth.urls")),
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
]

# The API answers problem+json even where no view ran (an id that no route matches).
handler400 = "smarketing.api.errors.bad_request_view"
handler404 = "smarketing.api.errors.not_found_view"
handler500 = "smarketing.api.errors.server_error_view"
