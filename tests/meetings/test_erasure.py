"""An erased lead's rejection notes leave the agendas that quoted them."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from leads.services import lead_erase
from meetings.services import meeting_agenda_generate
from smarketing.tenancy.actors import Actor
from smarketing.tenancy.scope import tenant_scope
from tests.leads.factories import LeadFactory, StageTransitionFactory
from tests.meetings.factories import MeetingFactory

pytestmark = pytest.mark.django_db

ROME = ZoneInfo("Europe/Rome")


def reject(lead, note):
    return StageTransitionFactory(
        lead=lead, action="reject", from_stage="sql", to_stage="recycled",
        at=datetime(2026, 3, 4, 12, tzinfo=ROME), reason_code="no_budget", note=note,
    )  # fmt: skip


def test_erasing_a_lead_removes_its_rejection_notes_from_generated_agendas(tenant):
    erased = LeadFactory(tenant=tenant, first_name="Zyxwaldo", last_name="Quibbleton")
    kept = LeadFactory(tenant=tenant)
    reject(erased, "Zyxwaldo Quibbleton has no budget")
    reject(kept, "Budget frozen until Q3")
    meeting = MeetingFactory(
        tenant=tenant, scheduled_at=datetime(2026, 3, 9, 10, tzinfo=ROME),
        period_start=date(2026, 3, 2), period_end=date(2026, 3, 8),
    )  # fmt: skip
    with tenant_scope(tenant):
        (before,) = [i for i in meeting_agenda_generate(meeting=meeting) if i.kind == "rejections"]
        assert "Zyxwaldo Quibbleton has no budget" in before.body
        lead_erase(lead=erased, actor=Actor.system())
        before.refresh_from_db()
    assert "Zyxwaldo" not in before.body and "Quibbleton" not in before.body
    assert "Budget frozen until Q3" in before.body
    assert sorted(n["note"] for n in before.figures["notes"]) == [
        "Budget frozen until Q3", "[erased]",
    ]  # fmt: skip
