"""Checking scoring settings: each limit inclusive, and the message a manager reads."""

import pytest

from personas.services.settings import clean_scoring_settings

EVENT_TYPES = (
    "page_view, form_submit, email_open, email_click, download, webinar, call, email, meeting"
)


@pytest.mark.parametrize(
    ("name", "low", "high"),
    [
        ("half_life_days", 0.1, 3650),
        ("saturation", 1, 10000),
        ("fit_weight", 0, 100),
        ("engagement_weight", 0, 100),
    ],
)
def test_each_number_is_accepted_at_its_limits_and_refused_past_them(name, low, high):
    assert clean_scoring_settings({name: low}) == ({name: float(low)}, {})
    assert clean_scoring_settings({name: high}) == ({name: float(high)}, {})
    message = f"Must be from {low:g} to {high:g}."
    assert clean_scoring_settings({name: low - 0.01}) == ({}, {name: [message]})
    assert clean_scoring_settings({name: high + 0.01}) == ({}, {name: [message]})


@pytest.mark.parametrize("value", [True, False, "5", None, [5], float("nan"), float("inf")])
def test_a_value_that_is_no_finite_number_is_refused(value):
    assert clean_scoring_settings({"saturation": value}) == (
        {}, {"saturation": ["Must be a number."]},
    )  # fmt: skip


def test_event_weights_are_accepted_from_0_to_1000_and_given_as_floats():
    fields, errors = clean_scoring_settings(
        {"engagement_weights": {"webinar": 0, "meeting": 1000, "call": 2.5}, "fit_weight": 1}
    )
    assert errors == {}
    assert fields == {
        "engagement_weights": {"webinar": 0.0, "meeting": 1000.0, "call": 2.5},
        "fit_weight": 1.0,
    }
    assert type(fields["engagement_weights"]["webinar"]) is float


def test_each_bad_event_weight_gets_its_own_message():
    _, errors = clean_scoring_settings(
        {"engagement_weights": {"telepathy": 3, "webinar": 1000.5, "smoke": 1, "call": "x"}}
    )
    unknown = [f"Unknown event type; use one of {EVENT_TYPES}."]
    assert errors == {
        "engagement_weights.telepathy": unknown,
        "engagement_weights.webinar": ["Must be from 0 to 1000."],
        "engagement_weights.smoke": unknown,
        "engagement_weights.call": ["Must be a number."],
    }


def test_any_error_returns_no_fields():
    assert clean_scoring_settings({"fit_weight": 1, "saturation": 0}) == (
        {}, {"saturation": ["Must be from 1 to 10000."]},
    )  # fmt: skip


@pytest.mark.parametrize(
    ("data", "errors"),
    [
        ([{"fit_weight": 1}], {"non_field_errors": ["Send a JSON object."]}),
        ({"score": 100, "fit_weight": 1}, {"score": ["Unknown or read-only field."]}),
        (
            {"engagement_weights": [["webinar", 5]]},
            {"engagement_weights": ["Send an object of event type to points."]},
        ),
    ],
)
def test_a_body_of_the_wrong_shape_is_refused_with_the_reason(data, errors):
    assert clean_scoring_settings(data) == ({}, errors)
