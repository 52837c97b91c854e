"""Reads on leads that are more than a one-line queryset."""

from __future__ import annotations

from itertools import chain
from typing import Any

from django.db.models import Q, QuerySet

from leads.models import Lead, LeadEvent, Stage, StageTransition


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


def campaign_stats(*, campaign_ids: list[int]) -> dict[int, dict[str, Any]]:
    """Funnel figures per campaign, from the immutable history: two queries for any page."""
    from decimal import Decimal

    from django.db.models import Count, Sum

    from leads.models import Campaign, TransitionAction

    if not campaign_ids:
        return {}
    lead_counts = dict(
        Lead.objects.filter(campaign_id__in=campaign_ids)
        .values_list("campaign_id")
        .annotate(n=Count("id"))
        .values_list("campaign_id", "n")
    )

    def reached(stage: str) -> Count:
        return Count("lead", distinct=True, filter=Q(action=TransitionAction.MOVE, to_stage=stage))

    funnel = {
        row["lead__campaign_id"]: row
        for row in StageTransition.objects.filter(lead__campaign_id__in=campaign_ids)
        .values("lead__campaign_id")
        .annotate(
            mqls=reached(Stage.MQL),
            sqls=reached(Stage.SQL),
            opportunities=reached(Stage.OPPORTUNITY),
            won=reached(Stage.WON),
            accepted=Count("lead", distinct=True, filter=Q(action=TransitionAction.ACCEPT)),
            rejected=Count("id", filter=Q(action=TransitionAction.REJECT)),
            revenue=Sum("amount", filter=Q(to_stage=Stage.WON)),
        )
    }
    costs = dict(Campaign.objects.filter(pk__in=campaign_ids).values_list("pk", "cost"))
    stats = {}
    for campaign_id in campaign_ids:
        row = funnel.get(campaign_id, {})
        decided = row.get("accepted", 0) + row.get("rejected", 0)
        revenue = row.get("revenue") or Decimal("0")
        cost = costs.get(campaign_id) or Decimal("0")
        stats[campaign_id] = {
            "leads": lead_counts.get(campaign_id, 0),
            "mqls": row.get("mqls", 0),
            "sqls": row.get("sqls", 0),
            "accepted": row.get("accepted", 0),
            "rejected": row.get("rejected", 0),
            "acceptance_rate": round(row.get("accepted", 0) / decided, 3) if decided else None,
            "opportunities": row.get("opportunities", 0),
            "won": row.get("won", 0),
            "won_revenue": revenue,
            "roi": round(float((revenue - cost) / cost), 3) if cost else None,
        }
    return stats
