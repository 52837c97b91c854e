"""Webhook settings pages, mounted at /t/<slug>/settings/webhooks/."""

from django.urls import path

from smarketing.webhooks import views

app_name = "webhooks"

urlpatterns = [
    path("", views.WebhookListView.as_view(), name="list"),
    path("<int:pk>/", views.WebhookDetailView.as_view(), name="detail"),
    path(
        "<int:pk>/deliveries/<int:delivery_id>/redeliver/",
        views.WebhookRedeliverView.as_view(),
        name="redeliver",
    ),
]
