"""What people type into the criteria rows becomes the criterion values the scoring reads."""

import pytest

from personas.forms import format_value, parse_value
from personas.scoring import validate_criterion


@pytest.mark.parametrize(
    ("field", "operator", "typed", "value"),
    [
        ("industry", "in", "Manufacturing,  Logistics ,", ["Manufacturing", "Logistics"]),
        ("company_size", "range", "50, 500", [50, 500]),
        ("company_size", "range", ", 500", [None, 500]),
        ("company_size", "in", "10, 20.5", [10, 20.5]),
        ("country", "equals", " IT ", "IT"),
        ("custom.plan", "equals", "TRUE", True),
        ("custom.seats", "range", "5,", [5, None]),
        ("title", "contains_any", "coo, head of operations", ["coo", "head of operations"]),
    ],
)
def test_typed_values_parse_into_valid_criteria_and_show_again(field, operator, typed, value):
    assert parse_value(field, operator, typed) == value
    criterion = validate_criterion(
        {"field": field, "operator": operator, "value": value, "weight": 10}
    )
    assert parse_value(field, operator, format_value(value)) == value
    assert criterion.operator == operator


def test_a_range_without_two_bounds_stays_invalid():
    value = parse_value("company_size", "range", "50")
    with pytest.raises(ValueError, match="low, high"):
        validate_criterion({"field": "company_size", "operator": "range", "value": value,
                            "weight": 10})  # fmt: skip
