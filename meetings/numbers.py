"""The shared numbers of a period, read from the other apps (read-only) for the agenda.

The definitions are those of the SLA compliance report, so the meeting and the dashboard
show the same numbers: marketing's figures are of the transitions recorded in the period
(the immutable `StageTransition` history, so a past period's figures do not change when
leads move on); sales' figures (breaches, response times) are of the SLA obligations opened
in the period. Cold leads are the leads as they are now. Every function reads the current
tenant scope and takes a `Window`: a half-open range of instants.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Count, F, Q

from leads.models import Lead, RejectionReason, Stage, StageTransition, TransitionAction
from personas import selectors as persona_selectors
from sla import selectors as sla_selectors
from sla.models import Breach, Obligation, ObligationKind

# The reason the SLA's cold sweep records when it recycles an SQL nobody worked: the system's
# doing, not sales' judgement of the lead, so it counts as a cold lead and not as a rejection.
COLD_REASON_CODE = "went_cold"
REASONS_SHOWN = 5
NOTES_SHOWN = 2
REPS_SHOWN = 3


@dataclass(frozen=True)
class Window:
    first_day: date
    last_day: date  # inclusive
    start: datetime
    end: datetime  # exclusive

    @property
    def days(self) -> int:
        return (self.last_day - self.first_day).days + 1


def window(first_day: date, last_day: date, *, tz_name: str) -> Window:
    """The days `first_day`..`last_day` of the tenant's calendar, as instants."""
    zone = ZoneInfo(tz_name or "UTC")
    return Window(
        first_day=first_day,
        last_day=last_day,
        start=datetime.combine(first_day, time.min, zone),
        end=datetime.combine(last_day + timedelta(days=1), time.min, zone),
    )


def previous_window(current: Window, *, tz_name: str) -> Window:
    """The period of equal length that ends the day before `current` starts."""
    last_day = current.first_day - timedelta(days=1)
    return window(last_day - timedelta(days=current.days - 1), last_day, tz_name=tz_name)


def _in(current: Window, field: str) -> Q:
    return Q(**{f"{field}__gte": current.start, f"{field}__lt": current.end})


def _transitions(current: Window):
    return StageTransition.objects.filter(_in(current, "at"))


def _decisions(current: Window):
    """Accepts and rejections by sales in the window (cold recycles left out)."""
    return _transitions(current).filter(
        Q(action=TransitionAction.ACCEPT)
        | (Q(action=TransitionAction.REJECT) & ~Q(reason_code=COLD_REASON_CODE))
    )


def handoff_volume(current: Window) -> dict[str, int]:
    """Moves to MQL, and hand-offs to sales as SQLs, in the window. A lead qualified again
    after it was recycled counts again, as in the compliance report."""

    def reached(stage: str) -> Count:
        return Count("id", filter=Q(action=TransitionAction.MOVE, to_stage=stage))

    return _transitions(current).aggregate(mqls=reached(Stage.MQL), sqls=reached(Stage.SQL))


def sales_decisions(current: Window) -> dict[str, int]:
    """Hand-offs sales accepted, and rejected, in the window."""
    return _decisions(current).aggregate(
        accepted=Count("id", filter=Q(action=TransitionAction.ACCEPT)),
        rejected=Count("id", filter=Q(action=TransitionAction.REJECT)),
    )


def sla_terms() -> dict[str, Any] | None:
    """The targets of the active SLA version, or None without one."""
    version = sla_selectors.active_version()
    if version is None:
        return None
    return {
        "monthly_mql_target": version.monthly_mql_target,
        "monthly_sql_target": version.monthly_sql_target,
        "min_acceptance_rate": float(version.min_acceptance_rate),
        "accept_within_hours": float(version.accept_within_hours),
    }


def breaches(current: Window) -> dict[str, Any]:
    """Missed deadlines of the obligations opened in the window: how many, of which kind,
    and the reps with most."""
    rows = Breach.objects.filter(_in(current, "obligation__opened_at"))
    kinds = dict(rows.values_list("kind").annotate(n=Count("id")).values_list("kind", "n"))
    by_rep = [
        {"rep": {"id": owner_id, "email": email} if owner_id else None, "count": n}
        for owner_id, email, n in rows.values_list("owner_id", "owner__email")
        .annotate(n=Count("id"))
        .order_by("-n", F("owner__email").asc(nulls_last=True))
        .values_list("owner_id", "owner__email", "n")[:REPS_SHOWN]
    ]
    return {
        "total": sum(kinds.values()),
        "accept": kinds.get(ObligationKind.ACCEPT, 0),
        "first_touch": kinds.get(ObligationKind.FIRST_TOUCH, 0),
        "by_rep": by_rep,
    }


def accept_response(current: Window) -> dict[str, Any]:
    """Median business hours from hand-off to accept or reject, of the SQLs handed off in
    the window and answered (late answers included: they are what the median must show)."""
    hours = list(
        Obligation.objects.filter(
            _in(current, "opened_at"),
            kind=ObligationKind.ACCEPT,
            response_business_hours__isnull=False,
        ).values_list("response_business_hours", flat=True)
    )
    median = round(statistics.median(hours), 2) if hours else None
    return {"median_hours": median, "answered": len(hours)}


def rejection_reasons(current: Window) -> dict[str, Any]:
    """Rejections of the window by reason (most first), with the latest notes sales wrote."""
    rejections = _decisions(current).filter(action=TransitionAction.REJECT)
    counts = list(
        rejections.values_list("reason_code")
        .annotate(n=Count("id"))
        .order_by("-n", "reason_code")
        .values_list("reason_code", "n")
    )
    labels = dict(RejectionReason.objects.values_list("code", "label"))

    def label(code: str) -> str:
        return labels.get(code) or (code.replace("_", " ").capitalize() if code else "No reason")

    notes = [
        {"lead": lead_id, "reason": label(code), "note": note, "by": email or actor_label,
         "at": at.isoformat()}
        for lead_id, code, note, email, actor_label, at in rejections.exclude(note="")
        .order_by("-at", "-id")
        .values_list("lead_id", "reason_code", "note", "actor__email", "actor_label", "at")[
            :NOTES_SHOWN
        ]
    ]  # fmt: skip
    return {
        "total": sum(n for _, n in counts),
        "reasons": [
            {"code": code, "label": label(code), "count": n} for code, n in counts[:REASONS_SHOWN]
        ],
        "notes": notes,
    }


def cold_leads(current: Window) -> dict[str, Any]:
    """Leads cold now (by stage), how many of them went cold in the window, and how many
    cold SQLs the SLA sent back to marketing in the window."""
    cold = Lead.objects.filter(is_cold=True, erased_at__isnull=True)
    by_stage = dict(cold.values_list("stage").annotate(n=Count("id")).values_list("stage", "n"))
    recycled = _transitions(current).filter(
        action=TransitionAction.REJECT, reason_code=COLD_REASON_CODE
    )
    return {
        "cold_now": sum(by_stage.values()),
        "by_stage": {stage: by_stage[stage] for stage in Stage.values if stage in by_stage},
        "went_cold": cold.filter(_in(current, "cold_since")).count(),
        "recycled": recycled.count(),
    }


def persona_acceptance(current: Window) -> list[dict[str, Any]]:
    """Sales' decisions on each persona's hand-offs in the window, best acceptance first.

    A lead counts for the persona it is scored with now.
    """
    rows = list(
        _decisions(current)
        .filter(lead__persona_id__isnull=False)
        .values_list("lead__persona_id")
        .annotate(
            accepted=Count("id", filter=Q(action=TransitionAction.ACCEPT)),
            rejected=Count("id", filter=Q(action=TransitionAction.REJECT)),
        )
        .values_list("lead__persona_id", "accepted", "rejected")
    )
    names = _persona_names([persona_id for persona_id, _, _ in rows])
    result = [
        {"id": persona_id, "name": names.get(persona_id, f"Persona #{persona_id}"),
         "accepted": accepted, "rejected": rejected,
         "rate": round(accepted / (accepted + rejected), 3)}
        for persona_id, accepted, rejected in rows
    ]  # fmt: skip
    result.sort(key=lambda row: (-row["rate"], -(row["accepted"] + row["rejected"]), row["name"]))
    return result


def _persona_names(ids: list[int]) -> dict[int, str]:
    """The name of each persona's approved version (the one that scores), else its latest."""
    names = {}
    for persona in persona_selectors.persona_list().filter(pk__in=ids):
        view = persona_selectors.persona_view(persona)
        names[persona.pk] = (view.approved or view.current).name
    return names
