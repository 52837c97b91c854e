"""Calendar downloads of a meeting, minutes, and each person's calendar feed."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.views import View
from django.views.decorators.http import require_GET

from meetings import selectors, services
from meetings.downloads import ICS_TYPE, invite_response, minutes_response
from meetings.invitations.feeds import feed_ics
from meetings.models import CalendarFeed, Meeting
from meetings.services.feeds import feed_by_token, feed_of, feed_token
from smarketing.notifications.services import absolute_url
from smarketing.tenancy.actors import Actor
from smarketing.tenancy.scope import tenant_scope
from smarketing.tenancy.selectors import membership_in
from smarketing.tenancy.views import TenantPageMixin


class MeetingInviteView(TenantPageMixin, View):
    model = Meeting

    def get(self, request, pk: int):
        return invite_response(get_object_or_404(selectors.meeting_list(), pk=pk))


class MeetingMinutesView(TenantPageMixin, View):
    model = Meeting

    def get(self, request, pk: int):
        meeting = get_object_or_404(selectors.meeting_list(), pk=pk)
        return minutes_response(meeting, attachment=True)


def feed_address(feed: CalendarFeed) -> str:
    return absolute_url(f"/cal/{feed_token(feed)}.ics")


def calendar_feed_panel(request) -> dict | None:
    """The calendar section of the person's preferences page."""
    feed = feed_of(tenant=request.tenant, user=request.user)
    return {"feed": feed, "feed_url": feed_address(feed) if feed else ""}


class CalendarFeedResetView(TenantPageMixin, View):
    def post(self, request):
        services.calendar_feed_reset(tenant=request.tenant, actor=Actor.from_request(request))
        messages.success(request, "Your calendar feed has a new address; the old one no "
                                  "longer works.")  # fmt: skip
        return redirect("notifications:list", tenant_slug=request.tenant.slug)


class CalendarFeedRevokeView(TenantPageMixin, View):
    def post(self, request):
        services.calendar_feed_revoke(tenant=request.tenant, actor=Actor.from_request(request))
        messages.success(request, "Your calendar feed is turned off.")
        return redirect("notifications:list", tenant_slug=request.tenant.slug)


@require_GET
def calendar_feed(request, token: str):
    """`/cal/<token>.ics`: no login, the token is the key. A forged, revoked or replaced
    token, or a person who left the tenant, is a 404."""
    feed = feed_by_token(token)
    if feed is None:
        raise Http404("No such calendar.")
    with tenant_scope(feed.tenant_id):
        if membership_in(user=feed.user, tenant=feed.tenant) is None:
            raise Http404("No such calendar.")
        body = feed_ics(feed)
        CalendarFeed.objects.filter(pk=feed.pk).update(last_used_at=timezone.now())
    response = HttpResponse(body, content_type=ICS_TYPE)
    response["Cache-Control"] = "private, max-age=300"
    return response
