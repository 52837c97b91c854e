"""Pages of the CSV import, under /t/<slug>/leads/import/."""

from django.urls import path

from leads.views import imports as views

app_name = "lead_imports"

urlpatterns = [
    path("", views.LeadImportPageView.as_view(), name="page"),
    path("<int:pk>/", views.LeadImportDetailView.as_view(), name="detail"),
    path("<int:pk>/progress/", views.LeadImportProgressView.as_view(), name="progress"),
    path("<int:pk>/errors.csv", views.LeadImportErrorsView.as_view(), name="errors"),
]
