from django.urls import path
from rest_framework.routers import SimpleRouter

from leads.api import views

router = SimpleRouter()
router.register("leads", views.LeadViewSet, basename="lead")
router.register("campaigns", views.CampaignViewSet, basename="campaign")

urlpatterns = [
    path("events/", views.EventsView.as_view(), name="events"),
    path("rejection-reasons/", views.RejectionReasonsView.as_view(), name="rejection-reasons"),
    *router.urls,
]
