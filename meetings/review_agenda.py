"""The agenda of an SLA review: how both sides kept the version under review over its whole
period, and what sales sent back and why.

Sales' and marketing's compliance come from the SLA's own compliance report
(`sla.compliance.report`), so the review shows the dashboard's figures; breaches by rep and
rejection notes from `meetings.numbers`, as the weekly agenda does.

Two sections are still to come from other parts of the product, and have their place here:
`_marketing_shortfalls` (marketing's commitments at risk or missed, from the SLA's shortfall
records) and `_goals` (the shared goals' scoreboard). Until those records exist they add
no point: the review shows what is measured, nothing made up.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from meetings import numbers
from meetings.agenda import Point, _breaches, _rejections, hours, pct
from meetings.models import AgendaKind, Meeting
from sla.compliance.report import compliance_report
from smarketing.periods import Period


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
        *_marketing_shortfalls(meeting),
        _rejections(numbers.rejection_reasons(current), numbers.rejection_reasons(previous)),
        *_goals(meeting),
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


# --- sections that other parts of the product will fill ------------------------------------


def _marketing_shortfalls(meeting: Meeting) -> list[Point]:
    """Marketing's commitments at risk or missed over the review period. The shortfall
    records (`GET /api/v1/sla/shortfalls/`) do not exist yet: when they do, read them here
    through an `sla` selector for `meeting.period_start`..`meeting.period_end`."""
    return []


def _goals(meeting: Meeting) -> list[Point]:
    """The shared goals of the review period and how far each got (the scoreboard of
    `GET /api/v1/goals/scoreboard/`). No goals exist yet: plug the scoreboard in here."""
    return []
