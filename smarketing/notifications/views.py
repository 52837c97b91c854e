"""The notifications page (/t/<slug>/notifications/), the bell, mark read, preferences."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View
from django.views.generic import TemplateView

from smarketing.errors import DomainError
from smarketing.notifications import selectors, services
from smarketing.notifications.kinds import Channel, kind_codes
from smarketing.notifications.models import Notification
from smarketing.notifications.panels import preferences_panels
from smarketing.tenancy.views import TenantPageMixin

PAGE_SIZE = 50


def back(request):
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect("notifications:list", tenant_slug=request.tenant.slug)


class NotificationListView(TenantPageMixin, TemplateView):
    template_name = "notifications/list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        paginator = Paginator(selectors.notifications_for(user=self.request.user), PAGE_SIZE)
        page = paginator.get_page(self.request.GET.get("page"))
        context.update(
            page_obj=page,
            notifications=page.object_list,
            unread=selectors.unread_count(
                tenant_id=self.request.tenant.pk, user_id=self.request.user.pk
            ),
            preferences=selectors.preferences_of(user=self.request.user),
            channels=Channel.choices,
            panels=preferences_panels(self.request),
        )
        return context


class BellView(TenantPageMixin, TemplateView):
    """The bell alone: the top bar polls it every 20 seconds."""

    template_name = "notifications/_bell.html"


class NotificationReadView(TenantPageMixin, View):
    model = Notification

    def post(self, request, pk: int):
        notification = get_object_or_404(Notification.objects.filter(user=request.user), pk=pk)
        services.notification_mark_read(notification=notification, user=request.user)
        return back(request)


class NotificationReadAllView(TenantPageMixin, View):
    def post(self, request):
        marked = services.notifications_mark_all_read(user=request.user)
        messages.success(request, f"{marked} notification{'s' if marked != 1 else ''} marked read.")
        return back(request)


class PreferencesView(TenantPageMixin, View):
    def post(self, request):
        chosen = {kind: request.POST[kind] for kind in kind_codes() if kind in request.POST}
        try:
            services.notification_preferences_set(user=request.user, preferences=chosen)
        except DomainError as error:
            messages.error(request, error.detail)
        else:
            messages.success(request, "Notification settings saved.")
        return redirect("notifications:list", tenant_slug=request.tenant.slug)
