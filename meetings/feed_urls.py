"""The public calendar feed, mounted at /cal/: no login, the secret token is the key."""

from django.urls import re_path

from meetings import calendar_views

app_name = "calendar-feed"

urlpatterns = [
    re_path(r"^(?P<token>[0-9A-Za-z._:-]+)\.ics$", calendar_views.calendar_feed, name="feed"),
]
