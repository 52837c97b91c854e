"""Persona pages, mounted at /t/<slug>/personas/."""

from django.urls import path

from personas import views

app_name = "personas"

urlpatterns = [
    path("", views.PersonaListView.as_view(), name="list"),
    path("new/", views.PersonaFormView.as_view(), name="create"),
    path("scoring/", views.ScoringSettingsPageView.as_view(), name="settings"),
    path("jobs/<int:pk>/", views.RescoreJobView.as_view(), name="job"),
    path("<int:pk>/", views.PersonaDetailView.as_view(), name="detail"),
    path("<int:pk>/edit/", views.PersonaFormView.as_view(), name="edit"),
    path("<int:pk>/approve/", views.PersonaApproveView.as_view(), name="approve"),
    path("<int:pk>/comments/", views.PersonaCommentView.as_view(), name="comment"),
    path("<int:pk>/compare/", views.PersonaCompareView.as_view(), name="compare"),
]
