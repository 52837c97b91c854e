"""Blending fit and engagement into the lead score, and the breakdown the lead page shows."""

import json

import pytest

from personas.scoring import ScoreWeights, blend, score_lead
from tests.personas.scoring_helpers import DAY, NOW, crit, persona


def test_blend_defaults_to_sixty_forty():
    assert ScoreWeights() == ScoreWeights(fit=0.6, engagement=0.4)
    assert blend(100, 0) == 60
    assert blend(0, 100) == 40
    assert blend(75, 75) == 75


def test_blend_clamps_out_of_range_inputs():
    assert blend(250, 180) == 100
    assert blend(-5, -1) == 0


def test_score_weights_reject_both_zero_or_negative():
    with pytest.raises(ValueError):
        ScoreWeights(0, 0)
    with pytest.raises(ValueError):
        ScoreWeights(-1, 2)


def test_score_lead_breakdown_explains_the_score_and_is_json_serialisable():
    p = persona(
        4,
        crit("industry", "in", ["SaaS"], 60),
        crit("company_size", "range", [100, None], 40),
        version=2,
        name="Mid-market SaaS",
    )
    result = score_lead(
        {"industry": "saas", "company_size": 20},
        [p],
        [("webinar", NOW - DAY), ("page_view", NOW)],
        NOW,
        weights=ScoreWeights(0.5, 0.5),
    )
    breakdown = json.loads(json.dumps(result.breakdown))
    assert result.fit == 60
    assert result.score == blend(result.fit, result.engagement, ScoreWeights(0.5, 0.5))
    assert breakdown["persona"] == {"id": 4, "version": 2, "name": "Mid-market SaaS"}
    assert breakdown["criteria"] == {
        "matched": [{"field": "industry", "operator": "in", "weight": 60}],
        "missed": [{"field": "company_size", "operator": "range", "weight": 40}],
    }
    assert list(breakdown["engagement_contributions"]) == ["webinar", "page_view"]
    assert breakdown["weights"] == {"fit": 0.5, "engagement": 0.5}
    assert (breakdown["score"], breakdown["fit"], breakdown["engagement"]) == (
        result.score,
        result.fit,
        result.engagement,
    )


def test_score_lead_without_a_matching_persona_still_scores_engagement():
    result = score_lead({}, [], [("form_submit", NOW)], NOW)
    assert result.fit == 0
    assert result.breakdown["persona"] is None
    assert result.score == blend(0, result.engagement)
    json.dumps(result.breakdown)
