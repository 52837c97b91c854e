"""The rep's queue page: SQLs to take with live deadlines, "Take next", away, my open leads.

The rows refresh from the server every 30 seconds (htmx); between refreshes a small script
counts the deadlines down in wall-clock time. Buttons post to the same services as the lead
page and the API, then come back here with what happened (or who was faster).
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect
from django.utils import timezone
from django.views import View
from django.views.generic import TemplateView

from leads import services
from leads.models import RejectionReason
from leads.page_actions import touch_types
from leads.routing.services import rep_away_set
from leads.selectors.sales_queue import (
    QUEUE_SORTS,
    QueueFilters,
    my_open_leads,
    queue_facets,
    queue_filtered,
)
from leads.views.actions import LeadAcceptView, LeadRejectView, LeadTouchView, explain
from leads.views.presenters import present_breakdown
from smarketing.errors import DomainError
from smarketing.tenancy.actors import Actor
from smarketing.tenancy.views import TenantPageMixin

PAGE_SIZE = 20
REFRESH_SECONDS = 30


def remaining_text(due_at, now) -> str:
    """What the countdown shows before its script runs: "overdue", or "2h 05m left"."""
    if due_at is None:
        return "no deadline"
    seconds = int((due_at - now).total_seconds())
    if seconds <= 0:
        return "overdue"
    hours, rest = divmod(seconds, 3600)
    return f"{hours}h {rest // 60:02d}m left" if hours else f"{rest // 60}m {rest % 60:02d}s left"


class QueueFilterForm(forms.Form):
    """The queue page's filters, sort, view and page, read from the query string."""

    campaign = forms.IntegerField(required=False, min_value=1)
    persona = forms.IntegerField(required=False, min_value=1)
    country = forms.CharField(required=False, max_length=2)
    hot = forms.BooleanField(required=False)
    overdue = forms.BooleanField(required=False)
    due_soon = forms.BooleanField(required=False)
    sort = forms.ChoiceField(required=False, choices=[(k, v[0]) for k, v in QUEUE_SORTS.items()])
    view = forms.ChoiceField(required=False, choices=[("cards", "Cards"), ("rows", "Rows")])
    page = forms.IntegerField(required=False, min_value=1)

    def filters(self) -> QueueFilters:
        data = self.cleaned_data if self.is_valid() else {}
        return QueueFilters(
            campaign_id=data.get("campaign"), persona_id=data.get("persona"),
            country=(data.get("country") or "").upper(), hot=bool(data.get("hot")),
            overdue=bool(data.get("overdue")), due_soon=bool(data.get("due_soon")),
            sort=data.get("sort") or "urgent",
        )  # fmt: skip


def queue_context(request) -> dict:
    """The rows of one page of the filtered queue, and what the filter bar shows."""
    actor = Actor.from_request(request)
    form = QueueFilterForm(request.GET)
    filters = form.filters()
    now = timezone.now()
    data = form.cleaned_data if form.is_valid() else {}
    paginator = Paginator(queue_filtered(actor=actor, filters=filters, now=now), PAGE_SIZE)
    page = paginator.get_page(data.get("page") or 1)
    rows = []
    for lead in page.object_list:
        breakdown = present_breakdown(lead.score_breakdown) or {}
        persona = breakdown.get("persona") or {}
        rows.append({
            "lead": lead,
            "overdue": lead.accept_due_at is not None and lead.accept_due_at <= now,
            "warning": lead.accept_warn_at is not None and lead.accept_warn_at <= now,
            "remaining": remaining_text(lead.accept_due_at, now),
            "persona": persona.get("name") or (f"#{lead.persona_id}" if lead.persona_id else ""),
            "routed_to_me": lead.owner_id is not None and lead.owner_id == actor.user_id,
            "routed_to": lead.owner.email if lead.owner_id and lead.owner else "",
        })  # fmt: skip
    query = request.GET.copy()
    query.pop("page", None)
    return {
        "rows": rows, "page_obj": page, "total": paginator.count, "filters": filters,
        "compact": data.get("view") == "rows", "query": query.urlencode(),
        "refresh_query": request.GET.urlencode(),
        "filtered": any((filters.campaign_id, filters.persona_id, filters.country,
                         filters.hot, filters.overdue, filters.due_soon)),
        "sorts": [(key, label) for key, (label, _) in QUEUE_SORTS.items()],
        "refresh_seconds": REFRESH_SECONDS,
        "reasons": list(RejectionReason.objects.filter(is_active=True)),
    }  # fmt: skip


class QueuePageView(TenantPageMixin, TemplateView):
    template_name = "leads/queue.html"
    capability = "queue.work"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        actor = Actor.from_request(self.request)
        context.update(queue_context(self.request))
        context.update(
            facets=queue_facets(actor=actor),
            touch_types=touch_types(), mine=list(my_open_leads(actor=actor)[:100]),
            away=self.request.membership.is_away,
        )  # fmt: skip
        return context


class QueueRowsView(TenantPageMixin, TemplateView):
    """The rows alone, for the periodic refresh (with the page's filters)."""

    template_name = "leads/_queue_rows.html"
    capability = "queue.work"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(queue_context(self.request))
        return context


def back_to_queue(request):
    return redirect("queue:page", tenant_slug=request.tenant.slug)


class QueueClaimView(TenantPageMixin, View):
    capability = "queue.work"

    def post(self, request):
        try:
            lead = services.queue_claim(actor=Actor.from_request(request))
        except DomainError as error:
            messages.error(request, explain(error))
        else:
            if lead is None:
                messages.info(request, "The queue is empty: nothing to take.")
            else:
                messages.success(request, f"Accepted {lead.email}: you own this lead now.")
        return back_to_queue(request)


class QueueAwayView(TenantPageMixin, View):
    def post(self, request):
        away = request.POST.get("away") == "1"
        rep_away_set(tenant=request.tenant, user=request.user, away=away)
        messages.success(
            request,
            "You are away: nothing is routed to you until you are back."
            if away
            else "Welcome back: SQLs are routed to you again.",
        )
        return back_to_queue(request)


class _BackToQueue:
    """The lead page's buttons, for those who work the queue, answering with the queue."""

    post_capability = "queue.work"

    def post(self, request, pk: int):
        super().post(request, pk)
        return back_to_queue(request)


class QueueAcceptView(_BackToQueue, LeadAcceptView):
    pass


class QueueRejectView(_BackToQueue, LeadRejectView):
    pass


class QueueTouchView(_BackToQueue, LeadTouchView):
    pass
