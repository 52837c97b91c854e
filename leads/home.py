"""The leads app's tiles on the home (registered in `LeadsConfig.ready`): marketing's view
of what sales sent back, and of the MQLs going cold."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Count, F

from leads import selectors
from leads.funnel.definitions import SALES_REJECTION
from leads.models import RejectionReason, Stage, StageTransition
from smarketing.home.tiles import ROWS, Figure, HomeContext, Row, TileData, register_tile
from smarketing.periods import local_today
from smarketing.tenancy.roles import Role

# On a member's first visit, "new" rejections are those of the last week.
FIRST_VISIT_WINDOW = timedelta(days=7)
REASONS_SHOWN = 3


def _reason_label(code: str, labels: dict[str, str]) -> str:
    return labels.get(code) or code.replace("_", " ").capitalize() or "No reason"


def rejections_tile(visit: HomeContext) -> TileData:
    """Sales' rejections since the member's last visit, with their reasons (three queries:
    the count by reason, the latest rows, the reasons' labels).

    Counted with `SALES_REJECTION`, the funnel's one definition: the SLA's recycling of an SQL
    nobody worked (`went_cold`) is no judgement by sales, so it is no rejection here either.
    """
    since = visit.last_visit or visit.now - FIRST_VISIT_WINDOW
    rejections = StageTransition.objects.filter(SALES_REJECTION, at__gt=since)
    by_reason = list(
        rejections.order_by().values("reason_code").annotate(count=Count("id"))
        .order_by("-count", "reason_code")
    )  # fmt: skip
    total = sum(row["count"] for row in by_reason)
    latest = list(rejections.select_related("lead", "actor").order_by("-at", "-id")[:ROWS])
    labels = dict(RejectionReason.objects.values_list("code", "label"))
    tz_name = visit.tenant.timezone
    url = visit.page(
        "feedback/", group_by="reason",
        **{"from": local_today(tz_name, since).isoformat(),
           "to": local_today(tz_name, visit.now).isoformat()},
    )  # fmt: skip
    window = "since your last visit" if visit.last_visit else "in the last 7 days"
    return TileData(
        title="Rejections from sales",
        url=url,
        link_label="Reasons and notes",
        figures=[
            Figure(f"Rejected {window}", total, url, "warn" if total else "ok"),
            *(
                Figure(_reason_label(row["reason_code"], labels), row["count"])
                for row in by_reason[:REASONS_SHOWN]
            ),
        ],
        rows=[
            Row(
                rejection.lead.full_name or rejection.lead.email,
                visit.page(f"leads/{rejection.lead_id}/"),
                detail=" · ".join(
                    part
                    for part in (
                        _reason_label(rejection.reason_code, labels),
                        rejection.note[:120],
                        rejection.actor.email if rejection.actor else rejection.actor_label,
                    )
                    if part
                ),
                when=rejection.at,
            )
            for rejection in latest
        ],
        empty=f"No SQL came back {window}.",
    )


def cold_mqls_tile(visit: HomeContext) -> TileData:
    """MQLs gone cold, the longest cold first (two queries: the count and the rows)."""
    cold = selectors.lead_list().filter(stage=Stage.MQL, is_cold=True)
    count = cold.count()
    rows = cold.order_by(F("cold_since").asc(nulls_last=True), "id")[:ROWS]
    url = visit.page("leads/", stage=Stage.MQL, is_cold="true")
    return TileData(
        title="Cold MQLs",
        url=url,
        link_label="Cold MQLs",
        figures=[Figure("MQLs gone cold", count, url, "warn" if count else "ok")],
        rows=[
            Row(
                lead.full_name or lead.email,
                visit.page(f"leads/{lead.pk}/"),
                detail=" · ".join(p for p in (lead.company, f"score {lead.score}") if p),
                when=lead.cold_since,
                when_label="cold since",
            )
            for lead in rows
        ],
        empty="No MQL has gone cold.",
    )


def register() -> None:
    register_tile("rejections", roles={Role.MARKETER}, order=10, build=rejections_tile)
    register_tile("cold-mqls", roles={Role.MARKETER}, order=30, build=cold_mqls_tile)
