"""The goals page, mounted at /t/<slug>/goals/ (namespace "goals")."""

from django.urls import path

from sla.goals import views

app_name = "goals"

urlpatterns = [
    path("", views.GoalsView.as_view(), name="list"),
    path("<int:pk>/sign/", views.GoalSignView.as_view(), name="sign"),
]
