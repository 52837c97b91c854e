"""Lead pages, mounted at /t/<slug>/leads/; campaign pages at /t/<slug>/campaigns/."""

from django.urls import path

from leads import views
from leads.views import merges

app_name = "leads"

urlpatterns = [
    path("", views.LeadListView.as_view(), name="list"),
    path("bulk/", views.LeadBulkView.as_view(), name="bulk"),
    path("duplicates/", merges.DuplicateListView.as_view(), name="duplicates"),
    path("<int:pk>/merge/", merges.LeadMergeView.as_view(), name="merge"),
    path("merges/<int:pk>/undo/", merges.MergeUndoView.as_view(), name="merge-undo"),
    path("<int:pk>/", views.LeadDetailView.as_view(), name="detail"),
    path("<int:pk>/move/", views.LeadMoveView.as_view(), name="move"),
    path("<int:pk>/accept/", views.LeadAcceptView.as_view(), name="accept"),
    path("<int:pk>/reject/", views.LeadRejectView.as_view(), name="reject"),
    path("<int:pk>/touch/", views.LeadTouchView.as_view(), name="touch"),
]

# Included under its own namespace, "campaigns", by the root URL conf.
campaign_urlpatterns = [
    path("", views.CampaignListView.as_view(), name="list"),
]
