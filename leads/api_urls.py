from django.urls import path
from rest_framework.routers import SimpleRouter

from leads.api import sales_desk, views
from leads.api.exports import LeadExportView
from leads.api.imports import LeadImportViewSet
from leads.api.report_exports import RejectionFeedbackCsvView
from leads.api.reports import FunnelExportView, FunnelView
from leads.merging.api import DuplicatesView, LeadMergeUndoView, LeadMergeView
from leads.roi.api import CampaignRoiCsvView, CampaignRoiView
from leads.team import api as team_api
from leads.webforms.api import WebFormViewSet

router = SimpleRouter()
router.register("leads", views.LeadViewSet, basename="lead")
router.register("campaigns", views.CampaignViewSet, basename="campaign")
router.register("members", team_api.MemberViewSet, basename="member")
router.register("rejection-reasons", team_api.RejectionReasonViewSet, basename="rejection-reason")
router.register("forms", WebFormViewSet, basename="webform")

imports = LeadImportViewSet

urlpatterns = [
    # Before the router: "leads/export.csv" is no lead id.
    path("leads/export.csv", LeadExportView.as_view(), name="lead-export"),
    path("leads/duplicates/", DuplicatesView.as_view(), name="lead-duplicates"),
    path("leads/<int:pk>/merge/", LeadMergeView.as_view(), name="lead-merge"),
    path("leads/merges/<int:pk>/undo/", LeadMergeUndoView.as_view(), name="lead-merge-undo"),
    path("imports/", imports.as_view({"post": "create"}), name="import-list"),
    path("imports/preview/", imports.as_view({"post": "preview"}), name="import-preview"),
    path("imports/<int:pk>/", imports.as_view({"get": "retrieve"}), name="import-detail"),
    path("imports/<int:pk>/errors.csv", imports.as_view({"get": "errors"}), name="import-errors"),
    path("events/", views.EventsView.as_view(), name="events"),
    # PATCH on the list changes reasons named by code; the router adds the rest.
    path(
        "rejection-reasons/",
        team_api.RejectionReasonViewSet.as_view(
            {"get": "list", "post": "create", "patch": "update_by_code"}
        ),
        name="rejection-reason-list",
    ),
    path("queue/", sales_desk.QueueView.as_view(), name="queue"),
    path("queue/claim/", sales_desk.ClaimView.as_view(), name="queue-claim"),
    path("me/away/", sales_desk.AwayView.as_view(), name="me-away"),
    path("routing/", sales_desk.RoutingView.as_view(), name="routing"),
    path(
        "feedback/rejections/",
        sales_desk.RejectionFeedbackView.as_view(),
        name="feedback-rejections",
    ),
    path("reports/funnel/", FunnelView.as_view(), name="report-funnel"),
    path("reports/funnel.csv", FunnelExportView.as_view(), name="report-funnel-csv"),
    path(
        "feedback/rejections.csv",
        RejectionFeedbackCsvView.as_view(),
        name="feedback-rejections-csv",
    ),
    path("reports/campaigns/", CampaignRoiView.as_view(), name="report-campaigns"),
    path("reports/campaigns.csv", CampaignRoiCsvView.as_view(), name="report-campaigns-csv"),
    *router.urls,
]
