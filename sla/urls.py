"""SLA pages, mounted at /t/<slug>/sla/ (namespace "sla")."""

from django.urls import path

from sla import views

app_name = "sla"

urlpatterns = [
    path("", views.DashboardView.as_view(), name="dashboard"),
    path("versions/new/", views.VersionFormView.as_view(), name="version-create"),
    path("versions/<int:pk>/", views.VersionDetailView.as_view(), name="version"),
    path("versions/<int:pk>/edit/", views.VersionFormView.as_view(), name="version-edit"),
    path("versions/<int:pk>/sign/", views.VersionSignView.as_view(), name="version-sign"),
    path(
        "versions/<int:pk>/activate/", views.VersionActivateView.as_view(), name="version-activate"
    ),
    path("versions/<int:pk>/compare/", views.VersionCompareView.as_view(), name="version-compare"),
]
