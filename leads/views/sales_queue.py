"""The rep's queue page: SQLs to take with live deadlines, "Take next", away, my open leads.

The rows refresh from the server every 30 seconds (htmx); between refreshes a small script
counts the deadlines down in wall-clock time. Buttons post to the same services as the lead
page and the API, then come back here with what happened (or who was faster).
"""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect
from django.utils import timezone
from django.views import View
from django.views.generic import TemplateView

from leads import services
from leads.models import RejectionReason
from leads.page_actions import touch_types
from leads.routing.services import rep_away_set
from leads.selectors.sales_queue import my_open_leads, queue_for, queue_size
from leads.views.actions import LeadAcceptView, LeadRejectView, LeadTouchView, explain
from leads.views.presenters import present_breakdown
from smarketing.errors import DomainError
from smarketing.tenancy.actors import Actor
from smarketing.tenancy.views import TenantPageMixin

ROWS_SHOWN = 50
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


def queue_rows(actor: Actor) -> tuple[list[dict], int]:
    now = timezone.now()
    leads = list(queue_for(actor=actor)[:ROWS_SHOWN])
    rows = []
    for lead in leads:
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
    total = len(leads) if len(leads) < ROWS_SHOWN else queue_size(actor=actor)
    return rows, total


class QueuePageView(TenantPageMixin, TemplateView):
    template_name = "leads/queue.html"
    capability = "queue.work"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        actor = Actor.from_request(self.request)
        rows, total = queue_rows(actor)
        context.update(
            rows=rows, total=total, more=max(0, total - len(rows)),
            refresh_seconds=REFRESH_SECONDS,
            reasons=list(RejectionReason.objects.filter(is_active=True)),
            touch_types=touch_types(), mine=list(my_open_leads(actor=actor)[:100]),
            away=self.request.membership.is_away,
        )  # fmt: skip
        return context


class QueueRowsView(TenantPageMixin, TemplateView):
    """The rows alone, for the periodic refresh."""

    template_name = "leads/_queue_rows.html"
    capability = "queue.work"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        rows, total = queue_rows(Actor.from_request(self.request))
        context.update(
            rows=rows, total=total, more=max(0, total - len(rows)),
            refresh_seconds=REFRESH_SECONDS,
            reasons=list(RejectionReason.objects.filter(is_active=True)),
        )  # fmt: skip
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
