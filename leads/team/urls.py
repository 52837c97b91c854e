"""Members and rejection reasons pages, mounted under /t/<slug>/settings/."""

from django.urls import path

from leads.team import views

members_urlpatterns = [
    path("", views.MembersPageView.as_view(), name="page"),
    path("<int:pk>/", views.MemberChangeView.as_view(), name="change"),
]

reasons_urlpatterns = [
    path("", views.RejectionReasonsPageView.as_view(), name="page"),
    path("<int:pk>/", views.RejectionReasonChangeView.as_view(), name="change"),
]
