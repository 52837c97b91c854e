"""Property: scores stay in 0..100 and move the right way as criteria, events and time change."""

import json
import math
from datetime import datetime, timedelta
from fractions import Fraction

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from personas.scoring import (
    OPERATORS,
    Criterion,
    EngagementConfig,
    ScoreWeights,
    blend,
    compile_personas,
    decay_raw,
    engagement_score,
    fit_score,
    score_lead,
    validate_criterion,
)
from tests.personas.scoring_helpers import DAY, matches, persona

TEXT = ["SaaS", "fintech", "retail", "VP", "head of", "sales", "c++", "acme", "true"]
COUNTRIES = ["US", "gb", "De", "fr"]
FIELDS = ["industry", "company_size", "country", "title", "company", "custom.plan"]
EVENT_TYPES = [*EngagementConfig.default().weights, "unknown"]
times = st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2026, 12, 31))


@st.composite
def criteria(draw):
    field = draw(st.sampled_from(FIELDS))
    operator = draw(st.sampled_from(OPERATORS))
    if field == "company_size":
        scalar = st.integers(0, 10_000)
    elif field == "country":
        scalar = st.sampled_from(COUNTRIES)
    else:
        scalar = st.sampled_from(TEXT)
    if operator == "range":
        bound = st.none() | st.integers(0, 10_000) | st.floats(0, 1e4)
        value = [draw(bound), draw(bound)]
    elif operator == "equals":
        value = draw(scalar)
    else:
        value = draw(st.lists(scalar, min_size=1, max_size=3))
    data = {
        "field": field,
        "operator": operator,
        "value": value,
        "weight": draw(st.integers(1, 100)),
    }
    try:
        return validate_criterion(data)
    except ValueError:
        assume(False)


anything = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=12)
leads = st.fixed_dictionaries(
    {
        "industry": st.sampled_from(TEXT) | anything,
        "company_size": st.integers(0, 10_000) | anything,
        "country": st.sampled_from(COUNTRIES) | anything,
        "title": st.sampled_from(["VP of Sales", "Head of Ops", "MVP", "C++ dev"]) | anything,
        "company": st.sampled_from(TEXT) | anything,
        "custom": st.fixed_dictionaries({}, optional={"plan": st.sampled_from(TEXT) | anything}),
    }
)
persona_lists = st.lists(
    st.tuples(st.integers(1, 20), st.lists(criteria(), max_size=6)),
    max_size=5,
    unique_by=lambda p: p[0],
).map(lambda ps: [persona(pid, *cs) for pid, cs in ps])
events = st.lists(st.tuples(st.sampled_from(EVENT_TYPES), times), max_size=30)
configs = st.builds(
    EngagementConfig,
    weights=st.dictionaries(st.sampled_from(EVENT_TYPES), st.floats(0, 1e6), max_size=6),
    half_life_days=st.floats(0.01, 1e4),
    saturation=st.floats(0.01, 1e6),
)
score_weights = (
    st.tuples(st.floats(0, 10), st.floats(0, 10))
    .filter(lambda w: w[0] + w[1] > 0)
    .map(lambda w: ScoreWeights(*w))
)


@settings(deadline=None)
@given(leads, persona_lists, events, times, configs, score_weights)
def test_every_score_stays_within_0_and_100(lead, personas, evs, now, config, weights):
    result = score_lead(lead, personas, evs, now, config, weights)
    for score in (result.fit, result.engagement, result.score):
        assert isinstance(score, int)
        assert 0 <= score <= 100
    json.dumps(result.breakdown, allow_nan=False)


@settings(deadline=None)
@given(st.integers(-1000, 1000), st.integers(-1000, 1000), score_weights)
def test_blend_stays_within_0_and_100(fit, engagement, weights):
    assert 0 <= blend(fit, engagement, weights) <= 100


def plain_fit(lead, personas) -> tuple[int, int | None]:
    """The fit rule written the slow, obvious way: criteria judged one at a time, exact
    half-up rounding, the best persona wins and ties go to the lowest id."""
    best_score, best_id = 0, None
    for p in sorted(personas, key=lambda p: p.id):
        total = sum(c.weight for c in p.criteria)
        if not total:
            continue
        matched = sum(c.weight for c in p.criteria if matches(c, lead))
        score = math.floor(Fraction(100 * matched, total) + Fraction(1, 2))
        if score > best_score:
            best_score, best_id = score, p.id
    return best_score, best_id


@settings(deadline=None)
@given(leads, leads, persona_lists, st.randoms(use_true_random=False))
def test_compiled_fit_equals_plain_fit_and_ignores_persona_order(lead, earlier, personas, rnd):
    expected = plain_fit(lead, personas)
    compiled = compile_personas(personas)
    fit_score(earlier, compiled)  # the compiled caches already hold another lead's answers
    shuffled = list(personas)
    rnd.shuffle(shuffled)
    for fit in (fit_score(lead, compiled), fit_score(lead, shuffled)):
        assert (fit.score, fit.persona_id) == expected


ALWAYS = Criterion("custom.always", "equals", "yes", 1)  # matches every lead below


@settings(deadline=None)
@given(leads, st.lists(criteria(), max_size=6), persona_lists, st.data())
def test_raising_a_matched_criterions_weight_never_lowers_fit(lead, cs, others, data):
    lead = {**lead, "custom.always": "yes"}
    cs = [*cs, ALWAYS]  # so that at least one criterion matches
    i = data.draw(st.sampled_from([j for j, c in enumerate(cs) if matches(c, lead)]))
    heavier = list(cs)
    new_weight = data.draw(st.integers(cs[i].weight, 100))
    heavier[i] = Criterion(cs[i].field, cs[i].operator, cs[i].value, new_weight)
    rest = [p for p in others if p.id != 99]
    alone = fit_score(lead, [persona(99, *cs)]).score
    assert fit_score(lead, [persona(99, *heavier)]).score >= alone
    among = fit_score(lead, [*rest, persona(99, *cs)]).score
    assert fit_score(lead, [*rest, persona(99, *heavier)]).score >= among


@settings(deadline=None)
@given(leads, st.lists(criteria(), max_size=6), persona_lists, st.data())
def test_making_a_missed_criterion_match_never_lowers_fit(lead, cs, others, data):
    never = Criterion("custom.never", "equals", "yes", data.draw(st.integers(1, 100)))
    cs = [*cs, never]  # so that at least one criterion misses
    i = data.draw(st.sampled_from([j for j, c in enumerate(cs) if not matches(c, lead)]))
    lead = {**lead, "custom.always": "yes"}
    now_matching = list(cs)
    now_matching[i] = Criterion("custom.always", "equals", "yes", cs[i].weight)
    rest = [p for p in others if p.id != 99]
    alone = fit_score(lead, [persona(99, *cs)]).score
    assert fit_score(lead, [persona(99, *now_matching)]).score >= alone
    among = fit_score(lead, [*rest, persona(99, *cs)]).score
    assert fit_score(lead, [*rest, persona(99, *now_matching)]).score >= among


@settings(deadline=None)
@given(events, st.sampled_from(EVENT_TYPES), times, times, configs)
def test_adding_an_event_never_lowers_engagement(evs, kind, at, now, config):
    before = engagement_score(evs, now, config)
    after = engagement_score([*evs, (kind, at)], now, config)
    assert after.raw >= before.raw
    assert after.score >= before.score


@settings(deadline=None)
@given(
    events, times, st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=3650)), configs
)
def test_aging_never_raises_engagement(evs, now, wait, config):
    assert (
        engagement_score(evs, now + wait, config).score <= engagement_score(evs, now, config).score
    )


@settings(deadline=None)
@given(
    st.lists(st.tuples(st.sampled_from(EVENT_TYPES), times), min_size=1, max_size=30),
    st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=400)),
    configs,
)
def test_incremental_decay_equals_from_scratch(evs, wait, config):
    evs = sorted(evs, key=lambda e: e[1])
    now = evs[-1][1] + wait
    raw, last = 0.0, evs[0][1]
    for kind, at in evs:
        raw = decay_raw(raw, (at - last) / DAY, config.half_life_days) + config.weights.get(kind, 0)
        last = at
    raw_now = decay_raw(raw, (now - last) / DAY, config.half_life_days)
    assert math.isclose(raw_now, engagement_score(evs, now, config).raw, rel_tol=1e-9, abs_tol=1e-9)
