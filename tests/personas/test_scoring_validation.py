"""Validating scoring criteria: each operator's values, readable errors for bad input."""

import pytest

from personas.scoring import validate_criterion
from tests.personas.scoring_helpers import crit


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
