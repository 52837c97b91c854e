"""What an alignment meeting talks about: one point per shared number, worded for people.

`agenda_points` reads the numbers of the meeting's period and of the one before it
(`Period.previous`: the month before a calendar month, else the days of equal length before
it), compares them with what the active SLA agreed, and returns the points in order.
It writes nothing; `services.meeting_agenda_generate` stores them.
"""

from __future__ import annotations

import calendar
import math
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from meetings import numbers, selectors
from meetings.models import AgendaKind, Meeting
from smarketing.periods import Period

# A persona needs this many decided hand-offs before its acceptance rate is compared.
PERSONA_MIN_DECIDED = 3


@dataclass(frozen=True)
class Point:
    kind: str
    title: str
    body: str
    figures: dict[str, Any]


def agenda_points(*, meeting: Meeting, tz_name: str) -> list[Point]:
    current = Period(meeting.period_start, meeting.period_end, tz_name)
    previous = current.previous()
    terms = numbers.sla_terms() or {}
    volume, volume_before = numbers.funnel(current), numbers.funnel(previous)
    meeting_day = meeting.scheduled_at.astimezone(current.start.tzinfo).date()
    return [
        _volume(AgendaKind.MQL_VOLUME, "MQLs", volume["mqls"], volume_before["mqls"],
                terms.get("monthly_mql_target"), current, has_sla=bool(terms)),
        _volume(AgendaKind.SQL_VOLUME, "SQL hand-offs", volume["sql_handoffs"],
                volume_before["sql_handoffs"],
                terms.get("monthly_sql_target"), current, has_sla=bool(terms)),
        _acceptance(volume, volume_before, terms.get("min_acceptance_rate")),
        _breaches(numbers.breaches(current), numbers.breaches(previous)),
        _response(numbers.accept_response(current), numbers.accept_response(previous),
                  terms.get("accept_within_hours")),
        _rejections(numbers.rejection_reasons(current), numbers.rejection_reasons(previous)),
        _cold(numbers.cold_leads(current)),
        _personas(numbers.persona_acceptance(current)),
        _action_items(meeting, meeting_day),
    ]  # fmt: skip


# --- wording -----------------------------------------------------------------------------


def _round(value: float) -> int:
    return math.floor(value + 0.5)


def pct(rate: float | None) -> str:
    return "—" if rate is None else f"{_round(rate * 100)}%"


def hours(value: float) -> str:
    return f"{value:.1f}".removesuffix(".0")


def _n(count: int, singular: str, plural: str) -> str:
    return f"{count} {singular if count == 1 else plural}"


def _trend(now: int, before: int) -> str:
    if now > before:
        return f"up from {before}"
    if now < before:
        return f"down from {before}"
    return "as in the previous period"


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 3) if whole else None


def prorated_target(monthly: int, first_day: date, last_day: date) -> int:
    """A monthly target for the days `first_day`..`last_day`: each day counts for its own
    month's share, so a whole calendar month gets exactly the monthly target."""
    total, day = 0.0, first_day
    while day <= last_day:
        total += monthly / calendar.monthrange(day.year, day.month)[1]
        day += timedelta(days=1)
    return _round(total)


# --- the points ----------------------------------------------------------------------------


def _volume(kind, label, count, before, monthly, current, *, has_sla) -> Point:
    target = prorated_target(monthly, current.first_day, current.last_day) if monthly else None
    if target is None:
        title = f"{label} {count} — {_trend(count, before)}"
        why = "The active SLA sets no monthly target." if has_sla else "No SLA is active."
    else:
        verdict = "below" if count < target else "meets"
        title = f"{label} {count} — {verdict} the {target} targeted"
        why = f"Monthly target {monthly}, pro-rated to {target} for {current.days} days."
    return Point(
        kind, title, f"Previous period: {before}. {why}",
        {"count": count, "previous": before, "target": target, "monthly_target": monthly or None,
         "days": current.days},
    )  # fmt: skip


def _acceptance(now: dict, before: dict, min_rate: float | None) -> Point:
    decided = now["accepted"] + now["rejected"]
    rate = _rate(now["accepted"], decided)
    previous = _rate(before["accepted"], before["accepted"] + before["rejected"])
    if rate is None:
        title = "Acceptance rate — sales accepted or rejected no hand-off"
    elif min_rate:
        verdict = "below" if rate < min_rate else "meets"
        title = f"Acceptance rate {pct(rate)} — {verdict} the {pct(min_rate)} agreed"
    else:
        title = f"Acceptance rate {pct(rate)}"
    body = (
        f"Sales accepted {now['accepted']} and rejected {now['rejected']} hand-offs. "
        f"Previous period: {pct(previous) if previous is not None else 'no decisions'}."
    )
    return Point(
        AgendaKind.ACCEPTANCE, title, body,
        {"rate": rate, "accepted": now["accepted"], "rejected": now["rejected"],
         "previous_rate": previous, "min_rate": min_rate or None},
    )  # fmt: skip


def _breaches(now: dict, before: dict) -> Point:
    count = now["total"]
    if count == 0:
        title = f"No SLA breaches (previous period {before['total']})"
        body = "Every deadline of the period was kept."
    else:
        title = f"SLA breaches {count} — {_trend(count, before['total'])}"
        reps = ", ".join(
            f"{row['rep']['email'] if row['rep'] else 'nobody (still in the queue)'} "
            f"({row['count']})"
            for row in now["by_rep"]
        )
        body = (
            f"{_n(now['accept'], 'SQL', 'SQLs')} not answered in time, "
            f"{_n(now['first_touch'], 'first touch', 'first touches')} late. Most: {reps}."
        )
    return Point(AgendaKind.BREACHES, title, body, {**now, "previous": before["total"]})


def _response(now: dict, before: dict, agreed: float | None) -> Point:
    median = now["median_hours"]
    if median is None:
        title = "Median accept response — sales answered no SQL in the period"
    elif agreed:
        verdict = "within" if median <= agreed else "over"
        title = (f"Median accept response {hours(median)} business hours — {verdict} the "
                 f"{hours(agreed)} agreed")  # fmt: skip
    else:
        title = f"Median accept response {hours(median)} business hours"
    previous = before["median_hours"]
    body = (
        f"{_n(now['answered'], 'SQL', 'SQLs')} accepted or rejected. Previous period: "
        f"{hours(previous) + ' business hours' if previous is not None else 'none answered'}."
    )
    return Point(
        AgendaKind.RESPONSE_TIME, title, body,
        {**now, "previous_median_hours": previous, "agreed_hours": agreed},
    )  # fmt: skip


def _rejections(now: dict, before: dict) -> Point:
    if now["total"] == 0:
        title = f"No hand-offs rejected (previous period {before['total']})"
    else:
        top = ", ".join(f"{r['label']} ({r['count']})" for r in now["reasons"][:3])
        title = f"Top rejection reasons: {top}"
    notes = "; ".join(
        f"“{n['note']}” ({n['reason']}{', ' + n['by'] if n['by'] else ''})" for n in now["notes"]
    )
    body = f"{now['total']} rejected, previous period {before['total']}. " + (
        f"Sales wrote: {notes}." if notes else "No notes written."
    )
    return Point(AgendaKind.REJECTIONS, title, body, {**now, "previous": before["total"]})


def _cold(now: dict) -> Point:
    if now["cold_now"] == 0:
        title = "No cold leads"
    else:
        title = f"Cold leads {now['cold_now']} — {now['went_cold']} went cold in the period"
    stages = ", ".join(f"{stage.upper() if stage in ('mql', 'sql') else stage} {n}"
                       for stage, n in now["by_stage"].items())  # fmt: skip
    body = (
        f"{'By stage: ' + stages + '. ' if stages else ''}"
        f"{_n(now['recycled'], 'cold SQL', 'cold SQLs')} went back to marketing automatically "
        "in the period."
    )
    return Point(AgendaKind.COLD_LEADS, title, body, now)


def _personas(rows: list[dict]) -> Point:
    ranked = [row for row in rows if row["accepted"] + row["rejected"] >= PERSONA_MIN_DECIDED]
    best, worst = (ranked[0], ranked[-1]) if ranked else (None, None)
    if not ranked:
        title = "Persona acceptance — too few decided hand-offs to compare"
    elif best is worst:
        title = f"Persona acceptance: {best['name']} {pct(best['rate'])}"
    else:
        title = (f"Persona acceptance: best {best['name']} {pct(best['rate'])}, "
                 f"worst {worst['name']} {pct(worst['rate'])}")  # fmt: skip
    body = (
        f"Personas with at least {PERSONA_MIN_DECIDED} hand-offs accepted or rejected in "
        "the period are compared; a lead counts for the persona it is scored with now."
    )
    return Point(
        AgendaKind.PERSONAS, title, body,
        {"personas": rows, "best": best, "worst": worst, "min_decided": PERSONA_MIN_DECIDED},
    )  # fmt: skip


def _action_items(meeting: Meeting, meeting_day: date) -> Point:
    items = selectors.open_action_items_before(meeting=meeting)
    overdue = sum(1 for item in items if item.due_on < meeting_day)
    if not items:
        title = "No open action items from earlier meetings"
    else:
        title = (f"Open action items {len(items)} — "
                 f"{f'{overdue} overdue' if overdue else 'none overdue'}")  # fmt: skip
    listed = [
        {"id": item.pk, "title": item.title,
         "owner": {"id": item.owner_id, "email": item.owner.email} if item.owner else None,
         "due_on": item.due_on.isoformat(), "meeting": item.meeting_id,
         "overdue": item.due_on < meeting_day}
        for item in items
    ]  # fmt: skip
    return Point(
        AgendaKind.ACTION_ITEMS, title,
        "Items of earlier meetings not done yet, overdue by the meeting day first.",
        {"open": len(items), "overdue": overdue, "items": listed},
    )  # fmt: skip
