"""Redaction: a person's values replaced in text and JSON, and nothing else."""

from smarketing.privacy.redaction import Redaction

ADA = Redaction.of(
    email="Ada@Prospect.example",
    erased_email="erased-1@erased.invalid",
    values=["Ada Lovelace", "Ada", "Lovelace", "Al"],
    record_fields={"email": "erased-1@erased.invalid", "first_name": "", "custom_fields": {}},
)


def test_text_loses_the_values_whatever_their_case_longest_first():
    assert ADA.text("Call ADA LOVELACE at ada@prospect.EXAMPLE") == (
        "Call [erased] at erased-1@erased.invalid"
    )


def test_a_short_value_is_replaced_only_where_it_is_the_whole_value():
    assert ADA.text("Also ask Alice") == "Also ask Alice"
    assert ADA.json({"nickname": "Al", "note": "Al and Alice"}) == {
        "nickname": "",
        "note": "Al and Alice",
    }


def test_a_record_holding_the_address_loses_its_personal_fields_whatever_they_hold():
    payload = {"id": 1, "email": "ada@prospect.example", "first_name": "Augusta",
               "custom_fields": {"linkedin": "a-k"}, "stage": "sql"}  # fmt: skip
    assert ADA.json({"results": [payload]}) == {"results": [{
        "id": 1, "email": "erased-1@erased.invalid", "first_name": "", "custom_fields": {},
        "stage": "sql",
    }]}  # fmt: skip


def test_other_people_are_left_alone():
    other = {
        "id": 2,
        "email": "grace@example.com",
        "first_name": "Grace",
        "custom_fields": {"x": 1},
    }
    assert ADA.json(other) == other
