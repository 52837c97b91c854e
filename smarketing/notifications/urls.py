"""Notification pages, mounted at /t/<slug>/notifications/ (namespace "notifications")."""

from django.urls import path

from smarketing.notifications import views

app_name = "notifications"

urlpatterns = [
    path("", views.NotificationListView.as_view(), name="list"),
    path("bell/", views.BellView.as_view(), name="bell"),
    path("read-all/", views.NotificationReadAllView.as_view(), name="read-all"),
    path("preferences/", views.PreferencesView.as_view(), name="preferences"),
    path("<int:pk>/read/", views.NotificationReadView.as_view(), name="read"),
]
