from rest_framework.routers import SimpleRouter

from meetings import api

router = SimpleRouter()
# Before the meetings: "meetings/series/" is no meeting id.
router.register("meetings/series", api.MeetingSeriesViewSet, basename="meeting-series")
router.register("meetings", api.MeetingViewSet, basename="meeting")

urlpatterns = router.urls
