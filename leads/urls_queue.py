"""The sales queue pages, mounted at /t/<slug>/queue/ (namespace "queue")."""

from django.urls import path

from leads.views import queue, routing

app_name = "queue"

urlpatterns = [
    path("", queue.QueuePageView.as_view(), name="page"),
    path("rows/", queue.QueueRowsView.as_view(), name="rows"),
    path("claim/", queue.QueueClaimView.as_view(), name="claim"),
    path("away/", queue.QueueAwayView.as_view(), name="away"),
    path("<int:pk>/accept/", queue.QueueAcceptView.as_view(), name="accept"),
    path("<int:pk>/reject/", queue.QueueRejectView.as_view(), name="reject"),
    path("<int:pk>/touch/", queue.QueueTouchView.as_view(), name="touch"),
    path("routing/", routing.RoutingPageView.as_view(), name="routing"),
    path("routing/teams/", routing.TeamSaveView.as_view(), name="team-save"),
    path("routing/teams/<int:pk>/delete/", routing.TeamDeleteView.as_view(), name="team-delete"),
    path("routing/rules/", routing.RuleAddView.as_view(), name="rule-add"),
    path("routing/rules/<int:pk>/delete/", routing.RuleDeleteView.as_view(), name="rule-delete"),
]
