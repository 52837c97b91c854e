"""Campaign ROI over a period: cost, the funnel's figures credited by attribution, the cost of
each stage and the return, per campaign and per channel.

- Figures are those of `leads.funnel` (moves recorded in the period), credited to a campaign
  by `attribution`; `leads` are the leads created in the period (merged-away duplicates
  left out), credited the same way at their creation.
- Cost: a campaign with both dates spreads its cost evenly over its days, and the period
  takes the share of its days inside it; a campaign without both dates books its whole
  cost on its first day (`starts_on`, else the day it was created in the tenant's zone).
- Cost per stage is cost / count (null when the count is zero); ROI is
  (revenue - cost) / cost (null when nothing was spent). Nothing ever divides by zero.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count

from leads.funnel.figures import FlowFigures, flow_figures_by
from leads.models import Campaign, Channel, Lead
from leads.roi.attribution import credited_campaign
from smarketing.periods import Period

CENT = Decimal("0.01")
COUNTS = ("leads", "mqls", "sqls", "accepted", "opportunities", "won")
PER_STAGE = {"cost_per_lead": "leads", "cost_per_mql": "mqls", "cost_per_sql": "sqls",
             "cost_per_won": "won"}  # fmt: skip


@dataclass
class Row:
    """One campaign's (or channel's, or the total's) figures over the period."""

    cost: Decimal = Decimal("0")
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(COUNTS, 0))
    revenue: Decimal = Decimal("0")

    def add_flow(self, figures: FlowFigures) -> None:
        self.counts["mqls"] += figures.mqls
        self.counts["sqls"] += figures.sql_handoffs
        self.counts["accepted"] += figures.accepted
        self.counts["opportunities"] += figures.opportunities
        self.counts["won"] += figures.won
        self.revenue += figures.won_revenue

    def merge(self, other: Row) -> None:
        self.cost += other.cost
        self.revenue += other.revenue
        for name in COUNTS:
            self.counts[name] += other.counts[name]

    def is_empty(self) -> bool:
        return not (self.cost or self.revenue or any(self.counts.values()))

    def figures(self) -> dict[str, Any]:
        cost = self.cost.quantize(CENT, ROUND_HALF_UP)
        body: dict[str, Any] = {"cost": money(cost), **self.counts,
                                "revenue": money(self.revenue)}  # fmt: skip
        for name, count in PER_STAGE.items():
            per = cost / self.counts[count] if self.counts[count] else None
            body[name] = money(per)
        body["roi"] = round(float((self.revenue - cost) / cost), 3) if cost else None
        return body


def money(value: Decimal | None) -> str | None:
    """Amounts travel as strings with two decimals (exact, as DRF renders decimals)."""
    return None if value is None else str(value.quantize(CENT, ROUND_HALF_UP))


def cost_in(campaign: Campaign, period: Period) -> Decimal:
    """The share of the campaign's cost that belongs to the period (see the module doc)."""
    if not campaign.cost:
        return Decimal("0")
    if campaign.starts_on and campaign.ends_on:
        first = max(campaign.starts_on, period.first_day)
        last = min(campaign.ends_on, period.last_day)
        if last < first:
            return Decimal("0")
        run_days = (campaign.ends_on - campaign.starts_on).days + 1
        return campaign.cost * Decimal((last - first).days + 1) / Decimal(run_days)
    booked_on: date = campaign.starts_on or campaign.created_at.astimezone(period.zone).date()
    return campaign.cost if period.first_day <= booked_on <= period.last_day else Decimal("0")


def _leads_by_campaign(period: Period, attribution: str) -> dict[int | None, int]:
    rows = (
        Lead.objects.filter(
            created_at__gte=period.start, created_at__lt=period.end, merged_into__isnull=True
        )
        .annotate(credited=credited_campaign(attribution, lead="pk", at="created_at"))
        .order_by()
        .values("credited")
        .annotate(n=Count("id"))
    )
    return {row["credited"]: row["n"] for row in rows}


def campaign_roi(*, period: Period, attribution: str) -> dict[str, Any]:
    """The report of the current tenant (see the module doc for every rule)."""
    flows = flow_figures_by(
        period,
        group_by="credited",
        group_expression=credited_campaign(attribution, lead="lead_id", at="at"),
    )
    leads = _leads_by_campaign(period, attribution)
    rows: dict[int | None, Row] = defaultdict(Row)
    for campaign_id, figures in flows.items():
        rows[campaign_id].add_flow(figures)
    for campaign_id, count in leads.items():
        rows[campaign_id].counts["leads"] += count
    campaigns = {c.pk: c for c in Campaign.objects.order_by("name", "pk")}
    for campaign in campaigns.values():
        cost = cost_in(campaign, period)
        if cost:
            rows[campaign.pk].cost += cost
    unattributed = rows.pop(None, Row())

    total = Row()
    by_channel: dict[str, Row] = defaultdict(Row)
    listed = []
    for pk, campaign in campaigns.items():
        row = rows.get(pk)
        if row is None or row.is_empty():
            continue
        total.merge(row)
        by_channel[campaign.channel].merge(row)
        listed.append({
            "id": pk, "name": campaign.name, "channel": campaign.channel,
            "channel_label": campaign.get_channel_display(),
            "starts_on": campaign.starts_on, "ends_on": campaign.ends_on, **row.figures(),
        })  # fmt: skip
    labels = dict(Channel.choices)
    channels = [
        {"channel": channel, "label": labels.get(channel, channel), **row.figures()}
        for channel, row in sorted(by_channel.items(), key=lambda item: labels.get(item[0], ""))
    ]
    return {
        "from": period.first_day,
        "to": period.last_day,
        "attribution": attribution,
        "totals": total.figures(),
        "campaigns": listed,
        "channels": channels,
        "unattributed": {name: unattributed.counts[name] for name in COUNTS}
        | {"revenue": money(unattributed.revenue)},
    }


CSV_HEADER = ["level", "campaign_id", "campaign", "channel", "cost", *COUNTS, "revenue",
              *PER_STAGE, "roi"]  # fmt: skip


def campaign_roi_rows(report: dict[str, Any]):
    """The report as CSV rows: one per campaign, then one per channel, then the total."""
    figures = ["cost", *COUNTS, "revenue", *PER_STAGE, "roi"]
    for row in report["campaigns"]:
        yield ["campaign", row["id"], row["name"], row["channel"], *(row[f] for f in figures)]
    for row in report["channels"]:
        yield ["channel", None, None, row["channel"], *(row[f] for f in figures)]
    yield ["total", None, None, None, *(report["totals"][f] for f in figures)]
