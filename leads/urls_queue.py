"""The sales queue pages, mounted at /t/<slug>/queue/ (namespace "queue")."""

from django.urls import path

from leads.views import routing, sales_queue

app_name = "queue"

urlpatterns = [
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
