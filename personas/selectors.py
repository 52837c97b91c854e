"""Reads on personas and scoring that are more than a one-line queryset."""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import Count, Prefetch, Q, QuerySet

from leads.funnel import definitions
from leads.funnel.figures import FlowFigures, flow_figures_by, transitions_in
from leads.funnel.tallies import created_in
from leads.models import Lead, RejectionReason
from personas.models import (
    BuyerPersona,
    PersonaApproval,
    PersonaComment,
    PersonaStatus,
    PersonaVersion,
    RescoreJob,
    ScoringSettings,
)
from personas.scoring import EngagementConfig, PersonaSpec, ScoreWeights, validate_criterion
from smarketing.periods import Period, parse_optional_range

logger = logging.getLogger(__name__)


# --- personas --------------------------------------------------------------------------


def persona_list() -> QuerySet[BuyerPersona]:
    """Personas with every version and its approvals, in three queries for any page."""
    versions = PersonaVersion.objects.order_by("-number").prefetch_related(
        Prefetch("approvals", queryset=_approvals())
    )
    return BuyerPersona.objects.prefetch_related(Prefetch("versions", queryset=versions))


def _approvals():
    return PersonaApproval.objects.select_related("user").order_by("created_at", "id")


@dataclass(frozen=True)
class PersonaView:
    """A persona as lists and pages show it: its current and its approved version."""

    persona: BuyerPersona
    current: PersonaVersion
    approved: PersonaVersion | None
    versions: list[PersonaVersion]

    @property
    def id(self) -> int:
        return self.persona.pk


def persona_view(persona: BuyerPersona) -> PersonaView:
    """Needs `persona` from `persona_list()` (versions prefetched, newest first)."""
    versions = list(persona.versions.all())
    approved = next((v for v in versions if v.status == PersonaStatus.APPROVED), None)
    return PersonaView(persona=persona, current=versions[0], approved=approved, versions=versions)


def persona_versions(*, persona: BuyerPersona) -> QuerySet[PersonaVersion]:
    return (
        PersonaVersion.objects.filter(persona=persona)
        .select_related("created_by")
        .prefetch_related(Prefetch("approvals", queryset=_approvals()))
        .order_by("-number")
    )


@dataclass(frozen=True)
class FieldChange:
    name: str
    before: Any
    after: Any

    @property
    def changed(self) -> bool:
        return self.before != self.after


@dataclass(frozen=True)
class CriterionChange:
    status: str  # added | removed | changed | same
    before: dict | None
    after: dict | None


def version_diff(a: PersonaVersion, b: PersonaVersion) -> dict[str, list]:
    """What changed from version `a` to version `b`: each content field, and the criteria
    matched up by field and operator."""
    fields = [
        FieldChange(name, getattr(a, name), getattr(b, name))
        for name in ("name", "summary", "pains", "goals", "objections", "preferred_channels",
                     "typical_titles")
    ]  # fmt: skip

    def keyed(criteria: list[dict]) -> dict[tuple, dict]:
        seen: dict[tuple, int] = {}
        out = {}
        for c in criteria:
            base = (c["field"], c["operator"])
            seen[base] = seen.get(base, 0) + 1
            out[(*base, seen[base])] = c
        return out

    before, after = keyed(a.criteria), keyed(b.criteria)
    changes = []
    for key in [*before, *(k for k in after if k not in before)]:
        old, new = before.get(key), after.get(key)
        if old is None:
            status = "added"
        elif new is None:
            status = "removed"
        else:
            status = "same" if old == new else "changed"
        changes.append(CriterionChange(status, old, new))
    return {"fields": fields, "criteria": changes}


def persona_comments(*, persona: BuyerPersona) -> QuerySet[PersonaComment]:
    return (
        PersonaComment.objects.filter(version__persona=persona)
        .select_related("author", "version")
        .order_by("-created_at", "-id")
    )


def _persona_spec(persona_id: int, number: int, name: str, criteria: Any) -> PersonaSpec:
    valid = []
    for raw in criteria or []:
        try:
            valid.append(validate_criterion(raw))
        except ValueError:
            # Checked on every write; a stored criterion only fails after the rules
            # tightened, and then it must not stop the persona's other criteria.
            logger.warning("Skipping invalid criterion %r of persona %s", raw, persona_id)
    return PersonaSpec(persona_id, number, name, tuple(valid))


def approved_persona_specs(*, tenant_id: int) -> list[PersonaSpec]:
    """The approved version of each persona, as the scoring code takes it."""
    rows = PersonaVersion.objects.filter(tenant_id=tenant_id, status=PersonaStatus.APPROVED)
    return [
        _persona_spec(*row) for row in rows.values_list("persona_id", "number", "name", "criteria")
    ]


# --- scoring settings and jobs -----------------------------------------------------------


def scoring_settings_row(*, tenant_id: int) -> ScoringSettings | None:
    return ScoringSettings.objects.filter(tenant_id=tenant_id).first()


def _scoring_config(
    row: tuple[dict | None, float, float, float, float] | None,
) -> tuple[EngagementConfig, ScoreWeights]:
    """From (engagement weights, half-life, saturation, fit weight, engagement weight) of a
    settings row; the defaults where the tenant set none."""
    default = EngagementConfig.default()
    if row is None:
        return default, ScoreWeights()
    engagement_weights, half_life_days, saturation, fit_weight, engagement_weight = row
    weights = {**default.weights, **(engagement_weights or {})}
    return (
        EngagementConfig(weights=weights, half_life_days=half_life_days, saturation=saturation),
        ScoreWeights(fit=fit_weight, engagement=engagement_weight),
    )


def scoring_config_of(*, tenant_id: int) -> tuple[EngagementConfig, ScoreWeights]:
    """The tenant's engagement config and blend weights; the defaults where it set none."""
    row = scoring_settings_row(tenant_id=tenant_id)
    return _scoring_config(
        None
        if row is None
        else (row.engagement_weights, row.half_life_days, row.saturation, row.fit_weight,
              row.engagement_weight)
    )  # fmt: skip


# The settings row (if any) beside each approved version (if any), in one read: scoring a
# single upserted lead needs both, and each read is a round trip.
_SCORING_INPUTS = """
SELECT CAST(s.engagement_weights AS text), s.half_life_days, s.saturation, s.fit_weight,
       s.engagement_weight, v.persona_id, v.number, v.name, CAST(v.criteria AS text)
FROM (SELECT 1 AS one) AS one
LEFT JOIN {settings} AS s ON s.tenant_id = %s
LEFT JOIN {versions} AS v ON v.tenant_id = %s AND v.status = %s
ORDER BY v.persona_id, v.number DESC
"""


def scoring_inputs_of(
    *, tenant_id: int
) -> tuple[EngagementConfig, ScoreWeights, list[PersonaSpec]]:
    """`scoring_config_of` and `approved_persona_specs` together, in one query."""
    sql = _SCORING_INPUTS.format(
        settings=connection.ops.quote_name(ScoringSettings._meta.db_table),
        versions=connection.ops.quote_name(PersonaVersion._meta.db_table),
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [tenant_id, tenant_id, PersonaStatus.APPROVED])
        rows = cursor.fetchall()
    first = rows[0]
    settings = None
    if first[1] is not None:  # half_life_days is never null in a row
        settings = (json.loads(first[0]) if first[0] else None, *first[1:5])
    specs = [
        _persona_spec(persona_id, number, name, json.loads(criteria) if criteria else None)
        for *_, persona_id, number, name, criteria in rows
        if persona_id is not None
    ]
    return (*_scoring_config(settings), specs)


def scoring_settings_of(*, tenant_id: int) -> dict[str, Any]:
    """The effective settings as the API and the page show them."""
    engagement, weights = scoring_config_of(tenant_id=tenant_id)
    row = scoring_settings_row(tenant_id=tenant_id)
    return {
        "engagement_weights": dict(engagement.weights),
        "half_life_days": engagement.half_life_days,
        "saturation": engagement.saturation,
        "fit_weight": weights.fit,
        "engagement_weight": weights.engagement,
        "updated_at": row.updated_at if row else None,
        "updated_by": row.updated_by.email if row and row.updated_by else None,
    }


def latest_rescore_job() -> RescoreJob | None:
    return RescoreJob.objects.order_by("-id").first()


# --- performance --------------------------------------------------------------------------


PERFORMANCE_DEFAULT_DAYS = 90  # when a request names only one of `from` and `to`


def performance_period(
    params: Mapping[str, str], *, tz_name: str, blank_is_default: bool
) -> Period | None:
    """The period a performance request asks for: all time (None) unless it names `from` or
    `to`; a bad one raises `InvalidPeriod` naming the parameter."""
    return parse_optional_range(
        params, tz_name=tz_name, default_days=PERFORMANCE_DEFAULT_DAYS,
        blank_is_default=blank_is_default,
    )  # fmt: skip


def persona_performance(
    *, persona_ids: list[int], period: Period | None = None
) -> dict[int, dict[str, Any]]:
    """The funnel's figures (`leads.funnel`) per persona, of `period` (all time for None),
    in three queries for any number. A lead counts for the persona it is scored with now;
    `leads` counts every lead of the persona, or, of a period, those created in it.
    A cold SQL the system recycled is neither a rejection nor a rejection reason."""
    if not persona_ids:
        return {}
    leads = Lead.objects.filter(persona_id__in=persona_ids)
    if period is not None:
        # Of a period: the leads created in it, as the funnel's `lead` stage counts them.
        leads = leads.filter(created_in(period))
    lead_counts = dict(
        leads.order_by()
        .values_list("persona_id")
        .annotate(n=Count("id"))
        .values_list("persona_id", "n")
    )
    mine = Q(lead__persona_id__in=persona_ids)
    funnel = flow_figures_by(period, group_by="lead__persona_id", lead_filter=mine)
    reasons: dict[int, list[tuple[str, int]]] = {}
    for persona_id, code, count in (
        transitions_in(period, lead_filter=mine)
        .filter(definitions.SALES_REJECTION)
        .values_list("lead__persona_id", "reason_code")
        .annotate(n=Count("id"))
        .order_by("lead__persona_id", "-n", "reason_code")
    ):
        reasons.setdefault(persona_id, []).append((code, count))
    labels = dict(RejectionReason.objects.values_list("code", "label"))

    rate = definitions.rate
    stats = {}
    for persona_id in persona_ids:
        figures = funnel.get(persona_id) or FlowFigures()
        stats[persona_id] = {
            "leads": lead_counts.get(persona_id, 0),
            "mqls": figures.mqls,
            "sqls": figures.sql_handoffs,
            "accepted": figures.accepted,
            "rejected": figures.rejected,
            "opportunities": figures.opportunities,
            "won": figures.won,
            "mql_to_sql_rate": rate(figures.sql_handoffs, figures.mqls),
            "acceptance_rate": figures.acceptance_rate,
            "sql_to_opportunity_rate": rate(figures.opportunities, figures.sql_handoffs),
            "won_revenue": figures.won_revenue,
            "rejection_reasons": [
                {"code": code, "label": labels.get(code, code), "count": count}
                for code, count in reasons.get(persona_id, [])
            ],
        }
    return stats
