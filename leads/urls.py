"""Every page of the leads app, mounted at /t/<slug>/ by the root URL conf.

One namespace per area, as the templates name them: "leads" (the list, a lead and its
buttons), "lead_imports" (the CSV import), "campaigns", "queue" (the sales queue and its
routing settings), "feedback" (sales' feedback to marketing), "reports" (the funnel), and
the settings pages "members" and "reasons".
"""

from django.urls import include, path

from leads import views
from leads.roi.views import CampaignRoiPageView
from leads.team import views as team
from leads.views import (
    edit,
    feedback,
    import_mapping,
    imports,
    merges,
    reports,
    routing,
    sales_queue,
)

lead_patterns = [
    path("", views.LeadListView.as_view(), name="list"),
    path("bulk/", views.LeadBulkView.as_view(), name="bulk"),
    path("new/", edit.LeadCreateView.as_view(), name="create"),
    path("reassign/", edit.LeadBulkReassignView.as_view(), name="reassign"),
    path("duplicates/", merges.DuplicateListView.as_view(), name="duplicates"),
    path("<int:pk>/merge/", merges.LeadMergeView.as_view(), name="merge"),
    path("merges/<int:pk>/undo/", merges.MergeUndoView.as_view(), name="merge-undo"),
    path("views/", views.SavedViewCreateView.as_view(), name="view-save"),
    path("views/<int:pk>/delete/", views.SavedViewDeleteView.as_view(), name="view-delete"),
    path("<int:pk>/", views.LeadDetailView.as_view(), name="detail"),
    path("<int:pk>/edit/", edit.LeadEditView.as_view(), name="edit"),
    path("<int:pk>/move/", views.LeadMoveView.as_view(), name="move"),
    path("<int:pk>/accept/", views.LeadAcceptView.as_view(), name="accept"),
    path("<int:pk>/reject/", views.LeadRejectView.as_view(), name="reject"),
    path("<int:pk>/touch/", views.LeadTouchView.as_view(), name="touch"),
]

import_patterns = [
    path("", imports.LeadImportPageView.as_view(), name="page"),
    path("mapping/", import_mapping.LeadImportMappingView.as_view(), name="mapping"),
    path("<int:pk>/", imports.LeadImportDetailView.as_view(), name="detail"),
    path("<int:pk>/progress/", imports.LeadImportProgressView.as_view(), name="progress"),
    path("<int:pk>/errors.csv", imports.LeadImportErrorsView.as_view(), name="errors"),
]

campaign_patterns = [
    path("", views.CampaignListView.as_view(), name="list"),
]

queue_patterns = [
    path("", sales_queue.QueuePageView.as_view(), name="page"),
    path("rows/", sales_queue.QueueRowsView.as_view(), name="rows"),
    path("claim/", sales_queue.QueueClaimView.as_view(), name="claim"),
    path("away/", sales_queue.QueueAwayView.as_view(), name="away"),
    path("<int:pk>/accept/", sales_queue.QueueAcceptView.as_view(), name="accept"),
    path("<int:pk>/reject/", sales_queue.QueueRejectView.as_view(), name="reject"),
    path("<int:pk>/touch/", sales_queue.QueueTouchView.as_view(), name="touch"),
    path("routing/", routing.RoutingPageView.as_view(), name="routing"),
    path("routing/teams/", routing.TeamSaveView.as_view(), name="team-save"),
    path("routing/teams/<int:pk>/delete/", routing.TeamDeleteView.as_view(), name="team-delete"),
    path("routing/rules/", routing.RuleAddView.as_view(), name="rule-add"),
    path("routing/rules/<int:pk>/delete/", routing.RuleDeleteView.as_view(), name="rule-delete"),
]

member_patterns = [
    path("", team.MembersPageView.as_view(), name="page"),
    path("<int:pk>/", team.MemberChangeView.as_view(), name="change"),
]

reason_patterns = [
    path("", team.RejectionReasonsPageView.as_view(), name="page"),
    path("<int:pk>/", team.RejectionReasonChangeView.as_view(), name="change"),
]

feedback_patterns = [
    path("", feedback.FeedbackPageView.as_view(), name="page"),
]

report_patterns = [
    path("funnel/", reports.FunnelPageView.as_view(), name="funnel"),
    path("funnel.csv", reports.FunnelExportPageView.as_view(), name="funnel-csv"),
]

roi_patterns = [
    path("", CampaignRoiPageView.as_view(), name="page"),
]

urlpatterns = [
    # Before "leads/": "import" is no lead id.
    path("leads/import/", include((import_patterns, "lead_imports"))),
    path("leads/", include((lead_patterns, "leads"))),
    path("campaigns/", include((campaign_patterns, "campaigns"))),
    path("queue/", include((queue_patterns, "queue"))),
    path("feedback/", include((feedback_patterns, "feedback"))),
    path("reports/", include((report_patterns, "reports"))),
    path("reports/campaigns/", include((roi_patterns, "campaign_roi"))),
    # The team settings that join membership with routing (capacity) and the reasons list.
    path("settings/members/", include((member_patterns, "members"))),
    path("settings/rejection-reasons/", include((reason_patterns, "reasons"))),
]
