from django.urls import path
from rest_framework.routers import SimpleRouter

from meetings import api

router = SimpleRouter()
# Before the meetings: "meetings/series/" is no meeting id.
router.register("meetings/series", api.MeetingSeriesViewSet, basename="meeting-series")
router.register("meetings", api.MeetingViewSet, basename="meeting")

downloads = api.MeetingViewSet

urlpatterns = [
    path("meetings/<int:pk>/invite.ics", downloads.as_view({"get": "invite"}),
         name="meeting-invite"),
    path("meetings/<int:pk>/minutes.md", downloads.as_view({"get": "minutes"}),
         name="meeting-minutes"),
    *router.urls,
]  # fmt: skip
