from django.urls import path
from rest_framework.routers import SimpleRouter

from sla import api

router = SimpleRouter()
# Obligations first: "obligations" must not be read as a version id.
router.register("sla/obligations", api.ObligationViewSet, basename="sla-obligation")
router.register("sla", api.SlaVersionViewSet, basename="sla-version")

urlpatterns = [
    path("sla/compliance/", api.ComplianceView.as_view(), name="sla-compliance"),
    path("sla/compliance.csv", api.ComplianceCsvView.as_view(), name="sla-compliance-csv"),
    *router.urls,
]
