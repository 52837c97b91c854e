"""Explainable lead scores: persona fit, decaying engagement, and their blend.

Pure Python on purpose (no Django imports): the same code runs in request handlers, in
batch re-scoring jobs and in isolated tests. Invariants every public function keeps:

* every score is an ``int`` in 0..100, rounded half-up;
* every breakdown is JSON-serialisable, so the lead page can show *why* a lead scored so;
* a missing lead value (absent, None, blank) never satisfies a criterion, not even
  ``not_in``: an unknown country is not evidence that the lead is outside a region.

Parts: ``criteria`` (types, validation), ``fit`` (persona matching), ``engagement``
(decaying events), ``blend`` (final score and breakdown).
"""

from .blend import LeadScore, ScoreWeights, blend, score_breakdown, score_lead
from .criteria import (
    CUSTOM_PREFIX,
    OPERATORS,
    STANDARD_FIELDS,
    Criterion,
    PersonaSpec,
    validate_criterion,
)
from .engagement import (
    EngagementConfig,
    EngagementResult,
    decay_raw,
    engagement_from_points,
    engagement_score,
    saturate,
)
from .fit import CompiledPersonas, FitResult, compile_personas, fit_score

__all__ = [
    "CUSTOM_PREFIX",
    "OPERATORS",
    "STANDARD_FIELDS",
    "CompiledPersonas",
    "Criterion",
    "EngagementConfig",
    "EngagementResult",
    "FitResult",
    "LeadScore",
    "PersonaSpec",
    "ScoreWeights",
    "blend",
    "compile_personas",
    "decay_raw",
    "engagement_from_points",
    "engagement_score",
    "fit_score",
    "saturate",
    "score_breakdown",
    "score_lead",
    "validate_criterion",
]
