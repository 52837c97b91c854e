"""The lead pages under /t/<slug>/leads/ and /t/<slug>/campaigns/."""

from leads.views.actions import LeadAcceptView, LeadMoveView, LeadRejectView, LeadTouchView
from leads.views.campaigns import CampaignListView
from leads.views.detail import LeadDetailView
from leads.views.lists import LeadBulkView, LeadListView
from leads.views.saved_views import SavedViewCreateView, SavedViewDeleteView

__all__ = [
    "CampaignListView",
    "LeadAcceptView",
    "LeadBulkView",
    "LeadDetailView",
    "LeadListView",
    "LeadMoveView",
    "LeadRejectView",
    "LeadTouchView",
    "SavedViewCreateView",
    "SavedViewDeleteView",
]
