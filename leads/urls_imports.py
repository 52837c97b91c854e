"""Pages of the CSV import, under /t/<slug>/leads/import/."""

from django.urls import path

from leads import views_imports as views
from leads.views_import_mapping import LeadImportMappingView

app_name = "lead_imports"

urlpatterns = [
    path("", views.LeadImportPageView.as_view(), name="page"),
    path("mapping/", LeadImportMappingView.as_view(), name="mapping"),
    path("<int:pk>/", views.LeadImportDetailView.as_view(), name="detail"),
    path("<int:pk>/progress/", views.LeadImportProgressView.as_view(), name="progress"),
    path("<int:pk>/errors.csv", views.LeadImportErrorsView.as_view(), name="errors"),
]
