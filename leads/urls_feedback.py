"""Sales' feedback to marketing, mounted at /t/<slug>/feedback/ (namespace "feedback")."""

from django.urls import path

from leads.views.feedback import FeedbackPageView

app_name = "feedback"

urlpatterns = [path("", FeedbackPageView.as_view(), name="page")]
