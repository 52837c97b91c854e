from django.urls import path

from smarketing.home import views as home
from smarketing.tenancy import views
from smarketing.tenancy.pages import general, invites, keys

app_name = "tenancy"

urlpatterns = [
    path("", views.landing, name="landing"),
    path("switch-tenant/", views.SwitchTenantView.as_view(), name="switch"),
    path("invite/<str:token>/", invites.accept_invitation, name="invite-accept"),
]

# The tenant's home: the tiles of the member's role (smarketing.home).
tenant_urlpatterns = [
    path("", home.HomeView.as_view(), name="home"),
    path("home/tiles/<slug:key>/", home.TileView.as_view(), name="home-tile"),
]

# The core's settings pages, mounted at /t/<slug>/settings/ (namespace "settings").
settings_urlpatterns = [
    path("", general.SettingsIndexView.as_view(), name="index"),
    path("tenant/", general.TenantSettingsPageView.as_view(), name="tenant"),
    path("audit/", general.AuditPageView.as_view(), name="audit"),
    path("api-keys/", keys.ApiKeysPageView.as_view(), name="api-keys"),
    path("api-keys/<int:pk>/revoke/", keys.ApiKeyRevokeView.as_view(), name="api-key-revoke"),
    path("invites/<int:pk>/resend/", invites.InviteActionView.as_view(action="resend"),
         name="invite-resend"),
    path("invites/<int:pk>/revoke/", invites.InviteActionView.as_view(action="revoke"),
         name="invite-revoke"),
]  # fmt: skip
