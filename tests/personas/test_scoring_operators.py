"""How each criterion operator matches a lead's values, missing values and custom fields."""

import math

import pytest

from tests.personas.scoring_helpers import crit, matches


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
