from django.urls import path
from rest_framework.routers import SimpleRouter

from personas import api
from personas.exports import PersonaPerformanceCsvView

router = SimpleRouter()
router.register("personas", api.PersonaViewSet, basename="persona")
router.register("scoring/jobs", api.RescoreJobViewSet, basename="rescore-job")

urlpatterns = [
    path(
        "personas/performance.csv",
        PersonaPerformanceCsvView.as_view(),
        name="persona-performance-csv",
    ),
    path("scoring/settings/", api.ScoringSettingsView.as_view(), name="scoring-settings"),
    *router.urls,
]
