"""/f/<key>/: the public endpoint and hosted page of each web form (no login)."""

from django.urls import path

from leads.webforms import public

urlpatterns = [
    path("<str:key>/", public.form_endpoint, name="form"),
    path("<str:key>/thanks/", public.thanks_page, name="thanks"),
]
