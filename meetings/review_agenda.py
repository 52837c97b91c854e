"""The agenda of an SLA review: how both sides kept the version under review over its whole
period, and what sales sent back and why.

Sales' and marketing's compliance come from the SLA's own compliance report
(`sla.compliance.report`), so the review shows the dashboard's figures; breaches by rep and
rejection notes from `meetings.numbers`, as the weekly agenda does.

Marketing's side also shows its shortfalls (the SLA sweep's records, as in the regular
agenda), and the shared goals of the period's months and quarters come from the goals'
scoreboard, so the review reads the figures both teams see on their pages.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from meetings import numbers
from meetings.agenda import Point, _breaches, _rejections, _shortfalls, hours, pct
from meetings.models import AgendaKind, Meeting
from sla.compliance.report import compliance_report
from sla.goals.models import Goal
from sla.goals.selectors import goal_scoreboard
from smarketing.periods import Period, parse_named


def review_points(*, meeting: Meeting, tz_name: str) -> list[Point]:
    current = Period(meeting.period_start, meeting.period_end, tz_name)
    previous = current.previous()
    report = compliance_report(period=current, group_by=None, state=None)
    version = meeting.sla_version
    return [
        _under_review(meeting, version),
        _sales(report["sales"], version),
        _breaches(numbers.breaches(current), numbers.breaches(previous)),
        _marketing(report["marketing"]),
        *_marketing_shortfalls(current),
        _rejections(numbers.rejection_reasons(current), numbers.rejection_reasons(previous)),
        *_goals(current, tenant=meeting.tenant),
    ]


def _under_review(meeting: Meeting, version) -> Point:
    if version is None:
        return Point(AgendaKind.SLA_UNDER_REVIEW, "The SLA under review is gone", "", {})
    review_on: date | None = version.review_on
    title = f"SLA v{version.number} “{version.name}” — review due {review_on:%d %b %Y}" if (
        review_on) else f"SLA v{version.number} “{version.name}”"  # fmt: skip
    body = (
        f"In force since {meeting.period_start:%d %b %Y}; this agenda covers "
        f"{meeting.period_start:%d %b %Y} to {meeting.period_end:%d %b %Y}. "
        f"Accept within {hours(float(version.accept_within_hours))} business hours, first touch "
        f"within {hours(float(version.first_touch_within_hours))}; "
        f"{version.monthly_mql_target} MQLs and {version.monthly_sql_target} SQL hand-offs a "
        f"month; acceptance at least {pct(float(version.min_acceptance_rate))}. "
        "Propose a change to draft the next version from these terms."
    )
    return Point(
        AgendaKind.SLA_UNDER_REVIEW, title, body,
        {"version": version.pk, "number": version.number, "review_on": review_on,
         "review_every_months": version.review_every_months},
    )  # fmt: skip


def _sales(sales: dict[str, Any], version) -> Point:
    on_time = sales["on_time_rate"]
    median = sales["median_response_hours"]
    if on_time is None:
        title = "Sales compliance — no deadline met or missed in the period"
    else:
        title = (f"Sales compliance: {pct(on_time)} of deadlines met on time "
                 f"(target {pct(sales['on_time_target'])})")  # fmt: skip
    body = (
        f"{sales['opened']} obligations opened: {sales['met_on_time']} met on time, "
        f"{sales['breached']} breached ({sales['met_late']} answered late), "
        f"{sales['pending']} still open. Median response "
        f"{hours(median) + ' business hours' if median is not None else '—'}"
        + (f", agreed {hours(float(version.accept_within_hours))} to accept." if version else ".")
    )
    figures = {k: v for k, v in sales.items() if k != "by_kind"}
    return Point(AgendaKind.SALES_COMPLIANCE, title, body, figures)


def _marketing(marketing: dict[str, Any]) -> Point:
    targets = marketing["targets"] or {}
    rate = marketing["acceptance_rate"]
    # A monthly target of 0 is no target: "0 of 0 targeted" would read as a kept promise.
    parts = [
        f"MQLs {marketing['mqls']}"
        + (f" of {targets['mqls']:g} targeted" if targets.get("monthly_mqls") else ""),
        f"SQL hand-offs {marketing['sql_handoffs']}"
        + (
            f" of {targets['sql_handoffs']:g} targeted"
            if targets.get("monthly_sql_handoffs")
            else ""
        ),
        f"acceptance {pct(rate)}"
        + (f" (at least {pct(targets['min_acceptance_rate'])} agreed)" if targets else ""),
    ]
    title = "Marketing compliance: " + ", ".join(parts)
    body = (
        f"Sales accepted {marketing['accepted']} and rejected {marketing['rejected']} "
        "hand-offs in the period. Targets are the monthly ones pro-rated to the period."
    )
    figures = {k: v for k, v in marketing.items() if k != "rejection_reasons"}
    figures["rejection_reasons"] = marketing["rejection_reasons"]
    return Point(AgendaKind.MARKETING_COMPLIANCE, title, body, figures)


# --- marketing's shortfalls and the shared goals ----------------------------------------------


def _marketing_shortfalls(current: Period) -> list[Point]:
    """Marketing's commitments at risk or missed in the months of the review period (the
    SLA sweep's shortfall records, the same point as the regular agenda's)."""
    return [_shortfalls(current)]


def _goals(current: Period, *, tenant) -> list[Point]:
    """The shared goals of the months and quarters the review period touches, each with its
    actual, its pace and its status (the goals scoreboard, one per goal period)."""
    periods = sorted(
        {goal.period for goal in Goal.objects.filter(starts_on__lte=current.last_day,
                                                     ends_on__gte=current.first_day)}
    )  # fmt: skip
    rows = []
    for label in periods:
        board = goal_scoreboard(tenant=tenant, period=parse_named(label, tz_name=current.tz_name))
        rows += [
            {"period": label, "metric": score.goal.metric, "target": float(score.goal.target),
             "actual": None if score.actual is None else float(score.actual),
             "status": score.status.value, "in_effect": score.in_effect}
            for score in board.scores
        ]  # fmt: skip
    if not rows:
        none = "No goal was set for a month or quarter of the review period."
        return [Point(AgendaKind.GOALS, "Shared goals — none set for these months", none, {})]
    counts = {status: sum(row["status"] == status for row in rows)
              for status in ("met", "missed", "on_track", "at_risk")}  # fmt: skip
    title = (f"Shared goals — {counts['met']} met, {counts['missed']} missed, "
             f"{counts['on_track'] + counts['at_risk']} still running")  # fmt: skip
    body = "; ".join(_goal_line(row) for row in rows) + "."
    return [Point(AgendaKind.GOALS, title, body, {**counts, "goals": rows})]


def _goal_line(row: dict[str, Any]) -> str:
    actual = "n/a" if row["actual"] is None else f"{row['actual']:g}"
    what = row["metric"].replace("_", " ")
    status = row["status"].replace("_", " ")
    return f"{what} in {row['period']}: {status} ({actual} of {row['target']:g})"
