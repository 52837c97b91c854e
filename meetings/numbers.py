"""The shared numbers of a period, read from the other apps (read-only) for the agenda.

Marketing's figures are the funnel's (`leads.funnel`: the one definition every report
counts with), of the transitions recorded in the period, so a past period's figures do not
change when leads move on and the meeting shows what the dashboards show; a cold recycle is
"went cold", never a rejection. Sales' figures (breaches, response times) are of the SLA
obligations opened in the period. Cold leads are the leads as they are now. Every function
reads the current tenant scope and takes a `Period` of the tenant's calendar.
"""

from __future__ import annotations

import statistics
from typing import Any

from django.db.models import Count, F, Q

from leads.funnel import definitions
from leads.funnel.figures import flow_figures, flow_figures_by, transitions_in
from leads.funnel.labels import reason_label
from leads.models import Lead, RejectionReason, Stage
from personas import selectors as persona_selectors
from sla import selectors as sla_selectors
from sla.models import Breach, Obligation, ObligationKind
from smarketing.periods import Period

REASONS_SHOWN = 5
NOTES_SHOWN = 2
REPS_SHOWN = 3


def _in(current: Period, field: str) -> Q:
    return Q(**{f"{field}__gte": current.start, f"{field}__lt": current.end})


def funnel(current: Period) -> dict[str, Any]:
    """The funnel's figures of the period: MQLs, hand-offs, sales' decisions, cold recycles."""
    return flow_figures(current).as_dict()


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


def breaches(current: Period) -> dict[str, Any]:
    """Missed deadlines of the obligations opened in the period: how many, of which kind,
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


def accept_response(current: Period) -> dict[str, Any]:
    """Median business hours from hand-off to accept or reject, of the SQLs handed off in
    the period and answered (late answers included: they are what the median must show)."""
    hours = list(
        Obligation.objects.filter(
            _in(current, "opened_at"),
            kind=ObligationKind.ACCEPT,
            response_business_hours__isnull=False,
        ).values_list("response_business_hours", flat=True)
    )
    median = round(statistics.median(hours), 2) if hours else None
    return {"median_hours": median, "answered": len(hours)}


def rejection_reasons(current: Period) -> dict[str, Any]:
    """Rejections of the period by reason (most first), with the latest notes sales wrote."""
    rejections = transitions_in(current).filter(definitions.SALES_REJECTION)
    counts = list(
        rejections.order_by()
        .values_list("reason_code")
        .annotate(n=Count("id"))
        .order_by("-n", "reason_code")
        .values_list("reason_code", "n")
    )
    labels = dict(RejectionReason.objects.values_list("code", "label"))

    def label(code: str) -> str:
        return reason_label(code, labels)

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


def cold_leads(current: Period) -> dict[str, Any]:
    """Leads cold now (by stage), how many of them went cold in the period, and how many
    cold SQLs the SLA sent back to marketing in the period."""
    cold = Lead.objects.filter(is_cold=True, erased_at__isnull=True)
    by_stage = dict(cold.values_list("stage").annotate(n=Count("id")).values_list("stage", "n"))
    return {
        "cold_now": sum(by_stage.values()),
        "by_stage": {stage: by_stage[stage] for stage in Stage.values if stage in by_stage},
        "went_cold": cold.filter(_in(current, "cold_since")).count(),
        "recycled": flow_figures(current).went_cold,
    }


def persona_acceptance(current: Period) -> list[dict[str, Any]]:
    """Sales' decisions on each persona's hand-offs in the period, best acceptance first.

    A lead counts for the persona it is scored with now.
    """
    by_persona = flow_figures_by(
        current, group_by="lead__persona_id", lead_filter=Q(lead__persona_id__isnull=False)
    )
    decided = {key: figures for key, figures in by_persona.items() if figures.decided}
    names = _persona_names(list(decided))
    result = [
        {"id": persona_id, "name": names.get(persona_id, f"Persona #{persona_id}"),
         "accepted": figures.accepted, "rejected": figures.rejected,
         "rate": figures.acceptance_rate}
        for persona_id, figures in decided.items()
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
