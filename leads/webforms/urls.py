"""Web form pages, mounted at /t/<slug>/forms/."""

from django.urls import path

from leads.webforms import views

app_name = "webforms"

urlpatterns = [
    path("", views.WebFormListView.as_view(), name="list"),
    path("new/", views.WebFormEditView.as_view(), name="new"),
    path("<int:pk>/", views.WebFormEditView.as_view(), name="edit"),
]
