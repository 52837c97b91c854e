"""The SLA's tiles on the home (registered in `SlaConfig.ready`): the rep's deadlines,
marketing's pace against its targets, and the manager's breaches and compliance.

Each reads a fixed number of queries whatever the data (see `smarketing.home.tiles`).
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from django.db.models import Count, Q

from leads.funnel.figures import flow_figures
from leads.selectors.sales_queue import queue_for, queue_urgency
from sla import selectors
from sla.compliance.report import compliance_report
from sla.models import Breach, Obligation, ObligationKind, ObligationStatus, RollupState, SlaVersion
from sla.pacing import expected_by_now
from sla.services.rollups import rollup_timezone
from smarketing.home.tiles import ROWS, Figure, HomeContext, Row, TileData, register_tile
from smarketing.periods import Period, current_month, local_today
from smarketing.tenancy.roles import LEADERSHIP_ROLES, Role, has_capability

NO_SLA = (
    "No SLA is in force, so nothing is measured yet. Draft one on the SLA page; marketing "
    "and sales each sign it, then a manager or admin activates it."
)


def _no_sla(visit: HomeContext) -> dict:
    """The empty state of a tenant without an active SLA: what to do, and where."""
    can_draft = has_capability(visit.role, "sla.manage")
    return {
        "note": NO_SLA,
        "note_url": visit.page("sla/versions/new/" if can_draft else "sla/"),
        "note_link": "Draft the first version" if can_draft else "Read the versions",
    }


def _month_link(visit: HomeContext, period: Period) -> str:
    today = local_today(period.tz_name, visit.now)
    return visit.page("sla/", **{"from": period.first_day.isoformat(), "to": today.isoformat()})


def _percent(value: float | None) -> str:
    return "n/a" if value is None else f"{round(value * 100)}%"


# --- sales rep --------------------------------------------------------------------------------


def queue_tile(visit: HomeContext) -> TileData:
    """SQLs waiting in my queue: how many, overdue, due within two business hours, and the
    most urgent (three queries: the SLA in force, the counts, the first rows)."""
    version = selectors.active_version()
    until = selectors.due_soon_until(now=visit.now, version=version)
    counts = queue_urgency(actor=visit.actor, now=visit.now, due_soon_until=until)
    rows = list(queue_for(actor=visit.actor)[:ROWS])
    url = visit.page("queue/")
    return TileData(
        title="My queue",
        url=url,
        link_label="All SQLs waiting for me",
        figures=[
            Figure("Waiting", counts["waiting"], url),
            Figure(
                "Overdue",
                counts["overdue"],
                visit.page("queue/", overdue="on"),
                "alert" if counts["overdue"] else "ok",
            ),
            Figure(
                "Due within 2 business hours",
                counts["due_soon"],
                visit.page("queue/", due_soon="on"),
                "warn" if counts["due_soon"] else "",
            ),
        ],
        rows=[_queue_row(visit, lead, until) for lead in rows],
        empty="Nothing waits in your queue.",
        **(_no_sla(visit) if version is None else {}),
    )


def _queue_row(visit: HomeContext, lead, until: datetime | None) -> Row:
    due = lead.accept_due_at
    tone = ""
    if due is not None and due <= visit.now:
        tone = "alert"
    elif due is not None and until is not None and due <= until:
        tone = "warn"
    return Row(
        lead.full_name or lead.email, visit.page(f"leads/{lead.pk}/"),
        detail=" · ".join(p for p in (lead.company, lead.campaign.name if lead.campaign else "",
                                      f"score {lead.score}") if p),
        when=due, when_label="overdue since" if tone == "alert" else "due", tone=tone,
    )  # fmt: skip


def first_touch_tile(visit: HomeContext) -> TileData:
    """My accepted leads still owing a first touch, with their deadlines (three queries: the
    SLA in force, the counts, the first rows)."""
    version = selectors.active_version()
    owed = Obligation.objects.filter(
        kind=ObligationKind.FIRST_TOUCH, status=ObligationStatus.PENDING, owner_id=visit.user.pk
    )
    counts = owed.aggregate(owed=Count("id"), overdue=Count("id", filter=Q(due_at__lte=visit.now)))
    rows = owed.select_related("lead").order_by("due_at", "id")[:ROWS]
    url = visit.page("leads/", owner="me", first_touch="owed")
    return TileData(
        title="First touches owed",
        url=url,
        link_label="Accepted, not touched yet",
        figures=[
            Figure("Accepted, not touched yet", counts["owed"], url),
            Figure(
                "Past the deadline", counts["overdue"], url, "alert" if counts["overdue"] else "ok"
            ),
        ],
        rows=[
            Row(
                o.lead.full_name or o.lead.email,
                visit.page(f"leads/{o.lead_id}/"),
                detail=o.lead.company,
                when=o.due_at,
                when_label="overdue since" if o.due_at <= visit.now else "touch by",
                tone="alert" if o.due_at <= visit.now else "",
            )
            for o in rows
        ],
        empty="Every lead you accepted has had its first touch.",
        **(_no_sla(visit) if version is None else {}),
    )


# --- marketer ---------------------------------------------------------------------------------


def pace_tile(visit: HomeContext) -> TileData:
    """MQLs and SQL hand-offs of this month against the SLA's monthly targets, prorated by
    the business time elapsed (two queries: the SLA in force and the month's figures)."""
    version = selectors.active_version()
    if version is None:
        return TileData(title="Pace against targets", url=visit.page("sla/"),
                        link_label="Versions and compliance", **_no_sla(visit))  # fmt: skip
    period = current_month(visit.tenant.timezone, visit.now)
    figures = flow_figures(period)
    url = _month_link(visit, period)
    return TileData(
        title=f"Pace against targets · {period.label}",
        url=url,
        link_label="Compliance this month",
        figures=[
            _paced("MQLs", figures.mqls, version.monthly_mql_target, version, period, visit, url),
            _paced(
                "SQL hand-offs",
                figures.sql_handoffs,
                version.monthly_sql_target,
                version,
                period,
                visit,
                url,
            ),
        ],
    )


def _paced(label, actual: int, target: int, version: SlaVersion, period, visit, url) -> Figure:
    if not target:
        return Figure(label, actual, url, detail="no monthly target in the SLA")
    expected = expected_by_now(target, period, now=visit.now, calendar=version.business_calendar())
    behind = actual < expected
    return Figure(
        label,
        f"{actual} of {target}",
        url,
        "warn" if behind else "ok",
        detail=f"{round(expected)} expected by now · {'behind' if behind else 'on pace'}",
    )


# --- manager and admin ------------------------------------------------------------------------


def breaches_tile(visit: HomeContext) -> TileData:
    """Sales' missed deadlines today and this month (three queries: the SLA in force, the
    counts, the latest breaches)."""
    tz_name = visit.tenant.timezone
    month = current_month(tz_name, visit.now)
    today = local_today(tz_name, visit.now)
    today_start = Period(today, today, tz_name).start
    breaches = Breach.objects.filter(breached_at__gte=month.start, breached_at__lt=month.end)
    counts = breaches.aggregate(
        month=Count("id"),
        today=Count("id", filter=Q(breached_at__gte=today_start)),
        accept=Count("id", filter=Q(kind=ObligationKind.ACCEPT)),
        first_touch=Count("id", filter=Q(kind=ObligationKind.FIRST_TOUCH)),
    )
    latest = breaches.select_related("lead", "owner").order_by("-breached_at", "-id")[:ROWS]
    version = selectors.active_version()
    url = _month_link(visit, month)
    return TileData(
        title="Sales breaches",
        url=url,
        link_label="Compliance this month",
        figures=[
            Figure("Today", counts["today"], url, "alert" if counts["today"] else "ok"),
            Figure(
                f"This month ({month.label})",
                counts["month"],
                url,
                "warn" if counts["month"] else "ok",
                detail=f"{counts['accept']} to accept · {counts['first_touch']} first touch",
            ),
        ],
        rows=[
            Row(
                b.lead.full_name or b.lead.email,
                visit.page(f"leads/{b.lead_id}/"),
                detail=" · ".join(
                    (ObligationKind(b.kind).label, b.owner.email if b.owner else "in the queue")
                ),
                when=b.breached_at,
                tone="alert",
            )
            for b in latest
        ],
        empty="No deadline missed this month.",
        **(_no_sla(visit) if version is None else {}),
    )


def compliance_tile(visit: HomeContext) -> TileData:
    """This month's compliance of both sides, from the compliance report itself (its fixed
    set of queries: the rollups up to their boundary, the live days after it)."""
    state = RollupState.objects.first()
    zone_name = state.timezone if state is not None else rollup_timezone()
    today = visit.now.astimezone(ZoneInfo(zone_name)).date()
    period = Period(today.replace(day=1), today, zone_name)
    report = compliance_report(period=period, group_by=None, state=state, now=visit.now)
    sales, marketing = report["sales"], report["marketing"]
    url = visit.page(
        "sla/", **{"from": period.first_day.isoformat(), "to": period.last_day.isoformat()}
    )
    if report["version"] is None:
        return TileData(
            title="Compliance this month", url=url, link_label="Versions and compliance",
            **_no_sla(visit),
        )  # fmt: skip
    targets = marketing["targets"] or {}
    floor = targets.get("min_acceptance_rate") or 0
    accepted_rate = marketing["acceptance_rate"]
    return TileData(
        title=f"Compliance · {period.first_day:%B %Y}",
        url=url,
        link_label="Compliance this month",
        figures=[
            Figure(
                "Sales on time",
                _percent(sales["on_time_rate"]),
                url,
                ""
                if sales["on_time_rate"] is None
                else "ok"
                if sales["on_time_rate"] >= sales["on_time_target"]
                else "warn",
                detail=f"{sales['met_on_time']} met · {sales['breached']} breached · "
                f"{sales['pending']} pending",
            ),
            Figure(
                "Acceptance rate",
                _percent(accepted_rate),
                url,
                ""
                if accepted_rate is None or not floor
                else "ok"
                if accepted_rate >= floor
                else "warn",
                detail=f"{marketing['accepted']} accepted · {marketing['rejected']} rejected"
                + (f" · at least {_percent(floor)} agreed" if floor else ""),
            ),
            Figure(
                "MQLs",
                marketing["mqls"],
                url,
                detail=f"{round(targets.get('mqls', 0))} targeted to date"
                if targets.get("monthly_mqls")
                else "no monthly target",
            ),
        ],
    )


def register() -> None:
    reps, leaders = {Role.SALES_REP}, LEADERSHIP_ROLES
    register_tile("queue", roles=reps, order=10, build=queue_tile)
    register_tile("first-touch", roles=reps, order=20, build=first_touch_tile)
    register_tile("pace", roles={Role.MARKETER}, order=20, build=pace_tile)
    register_tile("breaches", roles=leaders, order=10, build=breaches_tile)
    register_tile("compliance", roles=leaders, order=20, build=compliance_tile)
