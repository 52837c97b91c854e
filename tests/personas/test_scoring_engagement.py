"""Engagement scores: half-life decay, weights per event type, saturation, incremental decay."""

import math

import pytest

from personas.scoring import EngagementConfig, decay_raw, engagement_score, saturate
from tests.personas.scoring_helpers import DAY, NOW


def test_event_one_half_life_old_counts_half():
    config = EngagementConfig({"webinar": 10.0}, half_life_days=7, saturation=30)
    fresh = engagement_score([("webinar", NOW)], NOW, config)
    old = engagement_score([("webinar", NOW - 7 * DAY)], NOW, config)
    assert fresh.raw == pytest.approx(10.0)
    assert old.raw == pytest.approx(5.0)


def test_future_events_count_as_fresh():
    config = EngagementConfig.default()
    future = engagement_score([("meeting", NOW + 3 * DAY)], NOW, config)
    assert future.raw == pytest.approx(config.weights["meeting"])


def test_unknown_event_types_are_ignored():
    result = engagement_score([("tweet", NOW), ("page_view", NOW)], NOW)
    assert list(result.contributions) == ["page_view"]


def test_no_events_score_zero():
    result = engagement_score([], NOW)
    assert (result.score, result.raw, result.contributions) == (0, 0.0, {})


def test_default_config_weighs_sales_touches_modestly():
    weights = EngagementConfig.default().weights
    marketing = ("page_view", "form_submit", "email_open", "email_click", "download", "webinar")
    assert set(weights) == {*marketing, "call", "email", "meeting"}
    assert all(0 < weights[t] < weights["webinar"] for t in ("call", "email", "meeting"))


def test_saturation_keeps_a_thousand_page_views_within_100():
    config = EngagementConfig.default()
    views = engagement_score([("page_view", NOW)] * 1000, NOW, config)
    webinar = engagement_score([("webinar", NOW)], NOW, config)
    assert views.score == 100
    assert 0 < webinar.score < views.score


def test_contributions_split_the_score_by_type_largest_first():
    events = [("webinar", NOW), ("page_view", NOW), ("page_view", NOW - 14 * DAY)]
    result = engagement_score(events, NOW)
    assert list(result.contributions) == ["webinar", "page_view"]
    assert sum(result.contributions.values()) == pytest.approx(result.score, abs=0.6)
    assert all(v == round(v, 1) for v in result.contributions.values())


def test_incremental_raw_equals_the_from_scratch_computation():
    config = EngagementConfig.default()
    events = [("download", NOW - 20 * DAY), ("webinar", NOW - 9 * DAY), ("call", NOW - DAY)]
    raw, last = 0.0, None
    for kind, at in events:  # one stored number, updated as each event arrives
        elapsed = 0.0 if last is None else (at - last) / DAY
        raw = decay_raw(raw, elapsed, config.half_life_days) + config.weights[kind]
        last = at
    raw_now = decay_raw(raw, (NOW - last) / DAY, config.half_life_days)
    scratch = engagement_score(events, NOW, config)
    assert raw_now == pytest.approx(scratch.raw, rel=1e-12)
    assert saturate(raw_now, config.saturation) == scratch.score


@pytest.mark.parametrize(
    "kwargs",
    [
        {"weights": {"call": -1.0}, "half_life_days": 7, "saturation": 30},
        {"weights": {}, "half_life_days": 0, "saturation": 30},
        {"weights": {}, "half_life_days": 7, "saturation": math.inf},
    ],
)
def test_engagement_config_rejects_nonsense(kwargs):
    with pytest.raises(ValueError):
        EngagementConfig(**kwargs)


def test_decay_raw_needs_a_positive_half_life():
    with pytest.raises(ValueError, match="half-life"):
        decay_raw(10.0, 1.0, 0)
