"""What an erasure writes about itself and what it replaces: counts without the person, and
the stand-ins for each personal value."""

import pytest

from leads.models import Lead
from leads.services.erasure import erasure_note, lead_redaction

pytestmark = pytest.mark.django_db


def test_the_erasure_note_lists_what_was_rewritten_by_name_and_leaves_out_nothing_done():
    assert erasure_note({"notes": 2, "events": 0, "admin_log": 1, "outbox_events": 3}) == (
        "Personal data erased on request. Rewritten: admin log: 1, notes: 2, outbox events: 3."
    )
    assert erasure_note({"events": 0}) == "Personal data erased on request."
    assert erasure_note({}) == "Personal data erased on request."


def test_the_redaction_replaces_the_address_and_blanks_every_personal_field():
    lead = Lead(pk=41, email="ada@x.com", first_name="Ada", last_name="Lovelace",
                company="Analytical Engines", title="Countess",
                phone="+44 20 7946 0000")  # fmt: skip
    redaction = lead_redaction(lead)
    assert redaction.email == "ada@x.com"
    assert redaction.record_fields == {
        "email": "erased-41@erased.invalid", "first_name": "", "last_name": "", "company": "",
        "title": "", "phone": "", "custom_fields": {},
    }  # fmt: skip
    assert redaction.whole["ada@x.com"] == "erased-41@erased.invalid"
    assert {"ada lovelace", "ada", "lovelace", "analytical engines", "countess",
            "+44 20 7946 0000"} <= set(redaction.whole)  # fmt: skip
