"""Reads on leads that are more than a one-line queryset."""

from __future__ import annotations

from decimal import Decimal
from itertools import chain
from typing import Any

from django.db.models import Count, Q, QuerySet

from leads.funnel.figures import FlowFigures, flow_figures_by
from leads.models import Campaign, Lead, LeadEvent, StageTransition
from smarketing.periods import Period


def lead_search_filter(search: str) -> Q:
    """Every word must match the e-mail, a name or the company."""
    condition = Q()
    for word in search.split()[:5]:
        condition &= (
            Q(email__icontains=word)
            | Q(first_name__icontains=word)
            | Q(last_name__icontains=word)
            | Q(company__icontains=word)
        )
    return condition


def lead_list() -> QuerySet[Lead]:
    """Leads of the current tenant with what a list shows, in a fixed number of queries.

    Tombstones of merges are left out: they live on only as redirects to their survivor.
    """
    return Lead.objects.filter(merged_into__isnull=True).select_related("owner", "campaign")


def lead_history(*, lead: Lead, limit: int = 200) -> list[dict[str, Any]]:
    """Transitions and events of a lead, newest first, as one timeline."""
    transitions = StageTransition.objects.filter(lead=lead).select_related("actor").order_by("-at")
    events = LeadEvent.objects.filter(lead=lead).select_related("actor").order_by("-occurred_at")
    entries = chain(
        (
            {
                "kind": "transition",
                "id": t.pk,
                "action": t.action,
                "from": t.from_stage,
                "to": t.to_stage,
                "actor": t.actor.email if t.actor else (t.actor_label or "system"),
                "reason_code": t.reason_code,
                "note": t.note,
                "amount": t.amount,
                "at": t.at,
            }
            for t in transitions[:limit]
        ),
        (
            {
                "kind": "event",
                "id": e.pk,
                "type": e.type,
                "actor": e.actor.email if e.actor else None,
                "properties": e.properties,
                "at": e.occurred_at,
            }
            for e in events[:limit]
        ),
    )
    return sorted(entries, key=lambda entry: entry["at"], reverse=True)[:limit]


def campaign_stats(
    *, campaign_ids: list[int], period: Period | None = None
) -> dict[int, dict[str, Any]]:
    """The funnel's figures (`leads.funnel`) per campaign, of `period` (all time for None),
    in two queries for any page. A lead counts for the campaign it has now."""
    if not campaign_ids:
        return {}
    leads = Lead.objects.filter(campaign_id__in=campaign_ids)
    if period is not None:
        leads = leads.filter(created_at__gte=period.start, created_at__lt=period.end)
    lead_counts = dict(
        leads.order_by()
        .values_list("campaign_id")
        .annotate(n=Count("id"))
        .values_list("campaign_id", "n")
    )
    funnel = flow_figures_by(
        period, group_by="lead__campaign_id", lead_filter=Q(lead__campaign_id__in=campaign_ids)
    )
    costs = dict(Campaign.objects.filter(pk__in=campaign_ids).values_list("pk", "cost"))
    stats = {}
    for campaign_id in campaign_ids:
        figures = funnel.get(campaign_id) or FlowFigures()
        cost = costs.get(campaign_id) or Decimal("0")
        revenue = figures.won_revenue
        stats[campaign_id] = {
            "leads": lead_counts.get(campaign_id, 0),
            "mqls": figures.mqls,
            "sqls": figures.sql_handoffs,
            "accepted": figures.accepted,
            "rejected": figures.rejected,
            "acceptance_rate": figures.acceptance_rate,
            "opportunities": figures.opportunities,
            "won": figures.won,
            "won_revenue": revenue,
            "roi": round(float((revenue - cost) / cost), 3) if cost else None,
        }
    return stats
