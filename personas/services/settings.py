"""The tenant's scoring settings: engagement weights, half-life, and the fit/engagement blend."""

from __future__ import annotations

import math
from typing import Any

from django.db import transaction

from leads.models import EventType
from personas.errors import InvalidPersonaData
from personas.models import RescoreJob, ScoringSettings
from personas.scoring import EngagementConfig, ScoreWeights
from personas.selectors import scoring_config_of
from personas.services.rescore import rescore_job_queue
from smarketing.errors import Forbidden
from smarketing.tenancy.actors import Actor
from smarketing.tenancy.roles import has_capability

FIELDS = ("engagement_weights", "half_life_days", "saturation", "fit_weight", "engagement_weight")
LIMITS = {
    "half_life_days": (0.1, 3650.0),
    "saturation": (1.0, 10000.0),
    "fit_weight": (0.0, 100.0),
    "engagement_weight": (0.0, 100.0),
}
MAX_EVENT_WEIGHT = 1000.0


def _number(value: Any, low: float, high: float) -> tuple[float | None, str | None]:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return None, "Must be a number."
    if not low <= value <= high:
        return None, f"Must be from {low:g} to {high:g}."
    return float(value), None


def clean_scoring_settings(data: Any) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """The given fields, checked; `engagement_weights` may name some event types only."""
    if not isinstance(data, dict):
        return {}, {"non_field_errors": ["Send a JSON object."]}
    errors: dict[str, list[str]] = {}
    fields: dict[str, Any] = {}
    for name in data:
        if name not in FIELDS:
            errors[name] = ["Unknown or read-only field."]
    for name, (low, high) in LIMITS.items():
        if name in data:
            value, problem = _number(data[name], low, high)
            if problem:
                errors[name] = [problem]
            else:
                fields[name] = value
    if "engagement_weights" in data:
        weights = data["engagement_weights"]
        if not isinstance(weights, dict):
            errors["engagement_weights"] = ["Send an object of event type to points."]
        else:
            cleaned = {}
            for kind, value in weights.items():
                if kind not in EventType.values:
                    errors[f"engagement_weights.{kind}"] = [
                        f"Unknown event type; use one of {', '.join(EventType.values)}."
                    ]
                    continue
                number, problem = _number(value, 0.0, MAX_EVENT_WEIGHT)
                if problem:
                    errors[f"engagement_weights.{kind}"] = [problem]
                else:
                    cleaned[kind] = number
            fields["engagement_weights"] = cleaned
    return ({}, errors) if errors else (fields, {})


@transaction.atomic
def scoring_settings_update(
    *, tenant, actor: Actor, data: Any
) -> tuple[ScoringSettings, RescoreJob | None]:
    """Change the tenant's scoring settings (managers and admins). A change re-scores all
    the tenant's leads in the background; engagement is recounted from the events when its
    weights or half-life changed."""
    if not has_capability(actor.role, "scoring.manage"):
        raise Forbidden("Only managers and admins change the scoring settings.")
    fields, errors = clean_scoring_settings(data)
    if errors:
        raise InvalidPersonaData(errors)
    engagement, weights = scoring_config_of(tenant_id=tenant.pk)
    before = {
        "engagement_weights": dict(engagement.weights),
        "half_life_days": engagement.half_life_days,
        "saturation": engagement.saturation,
        "fit_weight": weights.fit,
        "engagement_weight": weights.engagement,
    }
    after = {**before, **fields}
    after["engagement_weights"] = {**before["engagement_weights"],
                                   **fields.get("engagement_weights", {})}  # fmt: skip
    try:
        ScoreWeights(fit=after["fit_weight"], engagement=after["engagement_weight"])
        EngagementConfig(
            weights=after["engagement_weights"],
            half_life_days=after["half_life_days"],
            saturation=after["saturation"],
        )
    except ValueError as exc:
        raise InvalidPersonaData({"non_field_errors": [str(exc)]}) from None
    row, _ = ScoringSettings.objects.select_for_update().get_or_create(
        tenant=tenant, defaults={**before, "updated_by": actor.user}
    )
    if after == before:
        return row, None
    for name, value in after.items():
        setattr(row, name, value)
    row.updated_by = actor.user
    row.save(update_fields=[*FIELDS, "updated_by", "updated_at"])
    engagement_changed = any(
        after[name] != before[name] for name in ("engagement_weights", "half_life_days")
    )
    job = rescore_job_queue(
        tenant_id=tenant.pk,
        reason="Scoring settings changed",
        actor=actor,
        recompute_engagement=engagement_changed,
    )
    return row, job
