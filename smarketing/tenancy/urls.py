from django.urls import path

from smarketing.tenancy import views

app_name = "tenancy"

urlpatterns = [
    path("", views.landing, name="landing"),
    path("switch-tenant/", views.SwitchTenantView.as_view(), name="switch"),
]

tenant_urlpatterns = [
    path("", views.TenantHomeView.as_view(), name="home"),
]
