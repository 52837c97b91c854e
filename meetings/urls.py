"""Meeting pages, mounted at /t/<slug>/meetings/."""

from django.urls import path

from meetings import calendar_views, series_views, views

app_name = "meetings"

urlpatterns = [
    path("", views.MeetingListView.as_view(), name="list"),
    path("series/", series_views.SeriesListView.as_view(), name="series"),
    path("series/<int:pk>/", series_views.SeriesEditView.as_view(), name="series-edit"),
    path("calendar-feed/reset/", calendar_views.CalendarFeedResetView.as_view(),
         name="feed-reset"),
    path("calendar-feed/revoke/", calendar_views.CalendarFeedRevokeView.as_view(),
         name="feed-revoke"),
    path("<int:pk>/", views.MeetingDetailView.as_view(), name="detail"),
    path("<int:pk>/invite.ics", calendar_views.MeetingInviteView.as_view(), name="invite"),
    path("<int:pk>/minutes.md", calendar_views.MeetingMinutesView.as_view(), name="minutes"),
    path("<int:pk>/status/", views.MeetingStatusView.as_view(), name="status"),
    path("<int:pk>/notes/", views.MeetingNotesView.as_view(), name="notes"),
    path("<int:pk>/close/", views.MeetingCloseView.as_view(), name="close"),
    path("<int:pk>/propose-sla-change/", views.ProposeSlaChangeView.as_view(),
         name="propose-sla-change"),
    path("<int:pk>/agenda/regenerate/", views.RegenerateAgendaView.as_view(), name="regenerate"),
    path("<int:pk>/decisions/", views.DecisionCreateView.as_view(), name="decision"),
    path("<int:pk>/action-items/", views.ActionItemCreateView.as_view(), name="action-item"),
    path(
        "<int:pk>/action-items/<int:item_id>/",
        views.ActionItemStatusView.as_view(),
        name="action-item-status",
    ),
]  # fmt: skip
