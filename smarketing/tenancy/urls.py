from django.urls import path

from smarketing.tenancy import views
from smarketing.tenancy.pages.invites import accept_invitation

app_name = "tenancy"

urlpatterns = [
    path("", views.landing, name="landing"),
    path("switch-tenant/", views.SwitchTenantView.as_view(), name="switch"),
    path("invite/<str:token>/", accept_invitation, name="invite-accept"),
]

tenant_urlpatterns = [
    path("", views.TenantHomeView.as_view(), name="home"),
]
