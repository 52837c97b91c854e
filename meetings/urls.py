"""Meeting pages, mounted at /t/<slug>/meetings/."""

from django.urls import path

from meetings import views

app_name = "meetings"

urlpatterns = [
    path("", views.MeetingListView.as_view(), name="list"),
    path("<int:pk>/", views.MeetingDetailView.as_view(), name="detail"),
    path("<int:pk>/status/", views.MeetingStatusView.as_view(), name="status"),
    path("<int:pk>/agenda/regenerate/", views.RegenerateAgendaView.as_view(), name="regenerate"),
    path("<int:pk>/decisions/", views.DecisionCreateView.as_view(), name="decision"),
    path("<int:pk>/action-items/", views.ActionItemCreateView.as_view(), name="action-item"),
    path(
        "<int:pk>/action-items/<int:item_id>/",
        views.ActionItemStatusView.as_view(),
        name="action-item-status",
    ),
]
