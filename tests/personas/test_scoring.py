"""Behaviour of personas.scoring: pure functions, so no database and no Django needed."""

import json
import math
from datetime import datetime, timedelta

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from personas.scoring import (
    OPERATORS,
    CompiledPersonas,
    Criterion,
    EngagementConfig,
    PersonaSpec,
    ScoreWeights,
    blend,
    compile_personas,
    decay_raw,
    engagement_score,
    fit_score,
    saturate,
    score_lead,
    validate_criterion,
)

NOW = datetime(2026, 3, 1, 12, 0)
DAY = timedelta(days=1)


def crit(field, operator, value, weight=10):
    return validate_criterion(
        {"field": field, "operator": operator, "value": value, "weight": weight}
    )


def persona(pid, *criteria, version=1, name=None):
    return PersonaSpec(pid, version, name or f"Persona {pid}", tuple(criteria))


def matches(criterion, lead):
    return fit_score(lead, [persona(1, criterion)]).score == 100


# --- validation -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "operator", "value"),
    [
        ("industry", "equals", "SaaS"),
        ("industry", "in", ["SaaS", "Fintech"]),
        ("company_size", "range", [50, None]),
        ("title", "contains_any", ["VP", "Head of"]),
        ("country", "not_in", ["RU", "kp"]),
        ("custom.plan", "equals", True),
        ("custom.seats", "range", [None, 10.5]),
    ],
)
def test_validate_criterion_accepts_each_operator(field, operator, value):
    c = crit(field, operator, value, weight=25)
    assert (c.field, c.operator, c.weight) == (field, operator, 25)
    hash(c)  # list values become tuples, so criteria can be deduplicated and cached


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"field": "revenue", "operator": "equals", "value": 1, "weight": 5}, "Unknown field"),
        ({"field": "custom.", "operator": "equals", "value": 1, "weight": 5}, "Unknown field"),
        ({"field": "title", "operator": "like", "value": "x", "weight": 5}, "Unknown operator"),
        ({"field": "title", "operator": "equals", "value": "x", "weight": 0}, "1 to 100"),
        ({"field": "title", "operator": "equals", "value": "x", "weight": 101}, "1 to 100"),
        ({"field": "title", "operator": "equals", "value": "x", "weight": "5"}, "1 to 100"),
        ({"field": "title", "operator": "equals", "value": "x", "weight": True}, "1 to 100"),
        ({"field": "title", "operator": "in", "value": "VP", "weight": 5}, "non-empty list"),
        ({"field": "title", "operator": "not_in", "value": [], "weight": 5}, "non-empty list"),
        ({"field": "title", "operator": "range", "value": [1, 2], "weight": 5}, "numeric field"),
        ({"field": "company_size", "operator": "range", "value": [9, 2], "weight": 5}, "above"),
        (
            {"field": "company_size", "operator": "range", "value": [None, None], "weight": 5},
            "bound",
        ),
        ({"field": "company_size", "operator": "range", "value": ["1", 2], "weight": 5}, "numbers"),
        ({"field": "company_size", "operator": "range", "value": [1], "weight": 5}, "low, high"),
        ({"field": "company_size", "operator": "equals", "value": "big", "weight": 5}, "number"),
        (
            {"field": "company_size", "operator": "contains_any", "value": ["1"], "weight": 5},
            "text",
        ),
        (
            {"field": "title", "operator": "contains_any", "value": ["vp", " "], "weight": 5},
            "blank",
        ),
        ({"field": "country", "operator": "in", "value": ["USA"], "weight": 5}, "ISO"),
        ({"field": "industry", "operator": "equals", "value": 3, "weight": 5}, "text"),
        ({"field": "title", "operator": "equals", "value": "x"}, "missing: weight"),
        ("industry=SaaS", "must be an object"),
    ],
)
def test_validate_criterion_rejects_bad_input_with_a_readable_message(data, message):
    with pytest.raises(ValueError, match=message):
        validate_criterion(data)


# --- operators --------------------------------------------------------------------------


def test_equals_matches_text_case_insensitively_and_ignores_padding():
    c = crit("industry", "equals", "SaaS")
    assert matches(c, {"industry": " saas "})
    assert not matches(c, {"industry": "SaaS platforms"})


def test_equals_matches_numbers_exactly():
    c = crit("company_size", "equals", 50)
    assert matches(c, {"company_size": 50})
    assert not matches(c, {"company_size": 51})


def test_in_matches_any_listed_value_case_insensitively():
    c = crit("country", "in", ["US", "gb"])
    assert matches(c, {"country": "GB"})
    assert matches(c, {"country": "us"})
    assert not matches(c, {"country": "DE"})


def test_not_in_matches_values_outside_the_list_only():
    c = crit("country", "not_in", ["RU", "KP"])
    assert matches(c, {"country": "FR"})
    assert not matches(c, {"country": "ru"})


@pytest.mark.parametrize(("size", "expected"), [(49, False), (50, True), (500, True), (501, False)])
def test_range_includes_both_bounds(size, expected):
    assert matches(crit("company_size", "range", [50, 500]), {"company_size": size}) is expected


def test_range_with_a_none_bound_is_open_on_that_side():
    assert matches(crit("company_size", "range", [None, 10]), {"company_size": -5})
    assert matches(crit("company_size", "range", [1000, None]), {"company_size": 10**9})
    assert not matches(crit("company_size", "range", [1000, None]), {"company_size": 999})


def test_range_reads_numeric_text_and_rejects_other_text():
    c = crit("custom.seats", "range", [10, 20])
    assert matches(c, {"custom": {"seats": " 15 "}})
    assert not matches(c, {"custom": {"seats": "fifteen"}})
    assert not matches(c, {"custom": {"seats": True}})


def test_contains_any_matches_whole_words_case_insensitively():
    c = crit("title", "contains_any", ["VP", "head of"])
    assert matches(c, {"title": "vp of Sales"})
    assert matches(c, {"title": "Global HEAD OF Marketing"})
    assert not matches(c, {"title": "MVP engineer"})
    assert not matches(c, {"title": "Headcount planner"})


def test_contains_any_handles_keywords_with_punctuation():
    c = crit("title", "contains_any", ["c++"])
    assert matches(c, {"title": "Senior C++ developer"})
    assert not matches(c, {"title": "C developer"})


@pytest.mark.parametrize("missing", [{}, {"country": None}, {"country": ""}, {"country": "  "}])
@pytest.mark.parametrize("operator", ["equals", "in", "not_in"])
def test_missing_lead_values_never_match_even_not_in(missing, operator):
    value = "US" if operator == "equals" else ["US"]
    assert not matches(crit("country", operator, value), missing)


def test_missing_numbers_never_match_an_open_range():
    assert not matches(crit("company_size", "range", [None, 100]), {"company_size": None})
    assert not matches(crit("company_size", "range", [None, 100]), {"company_size": math.nan})


def test_custom_fields_are_read_nested_or_flat():
    c = crit("custom.plan", "in", ["Enterprise"])
    assert matches(c, {"custom": {"plan": "enterprise"}})
    assert matches(c, {"custom.plan": "ENTERPRISE"})
    assert not matches(c, {"custom": {"tier": "enterprise"}})


def test_boolean_custom_values_match_as_true_false_but_never_as_one():
    c = crit("custom.has_budget", "equals", True)
    assert matches(c, {"custom": {"has_budget": True}})
    assert matches(c, {"custom": {"has_budget": "TRUE"}})
    assert not matches(c, {"custom": {"has_budget": 1}})


# --- fit --------------------------------------------------------------------------------


def test_fit_is_matched_weight_over_total_weight_rounded_half_up():
    p = persona(1, crit("industry", "equals", "saas", 1), crit("country", "equals", "US", 7))
    assert fit_score({"industry": "SaaS"}, [p]).score == 13  # 12.5 rounds up, not to even
    q = persona(2, crit("industry", "equals", "saas", 30), crit("country", "equals", "US", 40))
    assert fit_score({"industry": "SaaS"}, [q]).score == 43


def test_fit_reports_the_best_persona_with_matched_and_missed_criteria():
    smb = persona(
        1, crit("company_size", "range", [None, 50], 50), crit("country", "in", ["US"], 50)
    )
    ent = persona(
        2,
        crit("company_size", "range", [1000, None], 60),
        crit("title", "contains_any", ["vp"], 30),
        crit("country", "in", ["DE"], 10),
        version=3,
        name="Enterprise VP",
    )
    fit = fit_score({"company_size": 5000, "title": "VP Sales", "country": "US"}, [smb, ent])
    assert (fit.score, fit.persona_id, fit.persona_version, fit.persona_name) == (
        90,
        2,
        3,
        "Enterprise VP",
    )
    assert fit.matched == (
        {"field": "company_size", "operator": "range", "weight": 60},
        {"field": "title", "operator": "contains_any", "weight": 30},
    )
    assert fit.missed == ({"field": "country", "operator": "in", "weight": 10},)


def test_fit_ties_go_to_the_lowest_persona_id_whatever_the_order():
    a = persona(7, crit("industry", "equals", "saas"))
    b = persona(3, crit("country", "equals", "US"))
    lead = {"industry": "saas", "country": "US"}
    assert fit_score(lead, [a, b]).persona_id == 3
    assert fit_score(lead, [b, a]).persona_id == 3


def test_fit_without_personas_is_zero_and_names_no_persona():
    fit = fit_score({"industry": "saas"}, [])
    assert (fit.score, fit.persona_id, fit.persona_name, fit.matched, fit.missed) == (
        0,
        None,
        None,
        (),
        (),
    )


def test_fit_without_any_match_names_no_persona():
    fit = fit_score({"industry": "retail"}, [persona(1, crit("industry", "equals", "saas"))])
    assert (fit.score, fit.persona_id, fit.persona_version) == (0, None, None)


def test_persona_without_criteria_scores_zero():
    assert fit_score({"industry": "saas"}, [persona(1)]).score == 0


def test_compiled_personas_score_like_plain_ones_and_survive_reuse():
    personas = [
        persona(
            1, crit("industry", "in", ["saas", "fintech"], 40), crit("country", "equals", "US")
        ),
        persona(
            2,
            crit("industry", "in", ["saas", "fintech"], 40),
            crit("title", "contains_any", ["cto"]),
        ),
    ]
    compiled = compile_personas(personas)
    assert isinstance(compiled, CompiledPersonas)
    leads = [
        {"industry": "SaaS", "country": c, "title": t} for c in ("US", "FR") for t in ("CTO", "")
    ]
    for lead in leads * 2:
        assert fit_score(lead, compiled) == fit_score(lead, personas)


# --- engagement -------------------------------------------------------------------------


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


# --- blend and the lead-page breakdown ---------------------------------------------------


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


# --- properties -------------------------------------------------------------------------

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


@settings(deadline=None)
@given(leads, persona_lists, st.randoms(use_true_random=False))
def test_compiled_fit_equals_plain_fit_and_ignores_persona_order(lead, personas, rnd):
    compiled = compile_personas(personas)
    shuffled = list(personas)
    rnd.shuffle(shuffled)
    assert fit_score(lead, compiled) == fit_score(lead, shuffled)
    assert fit_score(lead, compiled) == fit_score(lead, compiled)


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
