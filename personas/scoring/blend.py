"""Blend fit and engagement into one score, with the breakdown shown on the lead page."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ._numeric import is_finite_number as _is_number
from ._numeric import round_half_up as _round_half_up
from .criteria import PersonaSpec
from .engagement import EngagementConfig, EngagementResult, engagement_score
from .fit import CompiledPersonas, FitResult, fit_score


@dataclass(frozen=True)
class ScoreWeights:
    """Relative weights of fit and engagement; they need not sum to 1."""

    fit: float = 0.6
    engagement: float = 0.4

    def __post_init__(self) -> None:
        if not (_is_number(self.fit) and _is_number(self.engagement)):
            raise ValueError("Score weights must be finite numbers.")
        if self.fit < 0 or self.engagement < 0 or self.fit + self.engagement <= 0:
            raise ValueError("Score weights must be at least 0 and not both 0.")


def blend(fit: int, engagement: int, weights: ScoreWeights | None = None) -> int:
    """Weighted mean of the two scores (inputs clamped to 0..100), rounded half-up."""
    w = weights or ScoreWeights()
    f, e = min(max(fit, 0), 100), min(max(engagement, 0), 100)
    mean = (w.fit * f + w.engagement * e) / (w.fit + w.engagement)
    return min(100, max(0, _round_half_up(mean)))


@dataclass(frozen=True)
class LeadScore:
    fit: int
    engagement: int
    score: int
    breakdown: dict[str, Any]


def score_lead(
    lead: Mapping[str, Any],
    personas: Sequence[PersonaSpec] | CompiledPersonas,
    events: Iterable[tuple[str, datetime]],
    now: datetime,
    engagement_config: EngagementConfig | None = None,
    weights: ScoreWeights | None = None,
) -> LeadScore:
    """Fit, engagement and blended score, plus the JSON-serialisable breakdown for the lead page."""
    weights = weights or ScoreWeights()
    fit = fit_score(lead, personas)
    eng = engagement_score(events, now, engagement_config)
    score = blend(fit.score, eng.score, weights)
    return LeadScore(fit.score, eng.score, score, score_breakdown(fit, eng, score, weights))


def score_breakdown(
    fit: FitResult, eng: EngagementResult, score: int, weights: ScoreWeights
) -> dict[str, Any]:
    """The JSON-serialisable explanation of a score: persona, criteria, event contributions.

    The result shares nothing mutable with ``fit`` (whose dicts may be shared between leads).
    """
    persona = (
        None
        if fit.persona_id is None
        else {"id": fit.persona_id, "version": fit.persona_version, "name": fit.persona_name}
    )
    return {
        "score": score,
        "fit": fit.score,
        "engagement": eng.score,
        "persona": persona,
        "criteria": {
            "matched": [dict(m) for m in fit.matched],
            "missed": [dict(m) for m in fit.missed],
        },
        "engagement_contributions": dict(eng.contributions),
        "engagement_raw": round(eng.raw, 6),
        "weights": {"fit": weights.fit, "engagement": weights.engagement},
    }
