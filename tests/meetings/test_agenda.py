"""The generated agenda: figures of a known week against the week before and the SLA."""

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from leads.models import Stage
from meetings.agenda import prorated_target
from meetings.services import meeting_agenda_generate
from smarketing.tenancy.roles import Role
from smarketing.tenancy.scope import tenant_scope
from tests.leads.factories import LeadFactory, RejectionReasonFactory, StageTransitionFactory
from tests.meetings.factories import ActionItemFactory, MeetingFactory
from tests.personas.factories import BuyerPersonaFactory
from tests.sla.factories import (
    ALWAYS_OPEN,
    BreachFactory,
    ObligationFactory,
    SlaVersionFactory,
)

pytestmark = pytest.mark.django_db

ROME = ZoneInfo("Europe/Rome")  # the tenant fixture's timezone


def at(day: int, hour: int = 12, minute: int = 0, month: int = 3) -> datetime:
    """An instant of 2026 in Rome: the period is 2 to 8 March, the one before
    23 February to 1 March."""
    return datetime(2026, month, day, hour, minute, tzinfo=ROME)


def generate(tenant, **meeting_fields):
    fields = {
        "scheduled_at": at(9, 10),
        "period_start": date(2026, 3, 2),
        "period_end": date(2026, 3, 8),
        **meeting_fields,
    }
    meeting = MeetingFactory(tenant=tenant, **fields)
    with tenant_scope(tenant):
        items = meeting_agenda_generate(meeting=meeting)
    return meeting, {item.kind: item for item in items}


def move(lead, to, when, **fields):
    defaults = {"mql": "lead", "sql": "mql", "recycled": "sql"}
    return StageTransitionFactory(
        lead=lead, from_stage=defaults.get(to, "lead"), to_stage=to, at=when, **fields
    )


def decide(lead, accepted: bool, when, reason="", note=""):
    if accepted:
        return StageTransitionFactory(
            lead=lead, action="accept", from_stage="sql", to_stage="sql", at=when
        )
    return StageTransitionFactory(
        lead=lead,
        action="reject",
        from_stage="sql",
        to_stage="recycled",
        at=when,
        reason_code=reason,
        note=note,
    )


@pytest.fixture
def week(tenant, member):
    """A week of hand-offs with two personas, rejections, breaches, answers and cold leads."""
    SlaVersionFactory(
        tenant=tenant,
        active=True,
        calendar={**ALWAYS_OPEN, "timezone": "Europe/Rome"},  # the tenant's days, as usual
        monthly_mql_target=200,
        monthly_sql_target=80,
        min_acceptance_rate=Decimal("0.6"),
        accept_within_hours=Decimal("4"),
    )
    RejectionReasonFactory(tenant=tenant, code="bad_fit_x", label="Bad fit (size)")
    ops = BuyerPersonaFactory(tenant=tenant, version__name="Ops lead", version__status="approved")
    cfo = BuyerPersonaFactory(tenant=tenant, version__name="CFO", version__status="approved")
    leads = [LeadFactory(tenant=tenant, persona_id=ops.pk) for _ in range(4)]
    leads += [LeadFactory(tenant=tenant, persona_id=cfo.pk) for _ in range(3)]
    # MQLs: three leads, one of them flagged twice; one flag falls just after the period
    # (00:30 on 9 March in Rome is still 8 March in UTC).
    for lead in leads[:3]:
        move(lead, "mql", at(3))
    move(leads[0], "mql", at(4))
    move(leads[3], "mql", at(9, 0, 30))
    for lead in LeadFactory.create_batch(5, tenant=tenant):
        move(lead, "mql", at(25, month=2))
    for lead in leads:
        move(lead, "sql", at(4))
    # Sales: Ops 3 of 4 accepted, CFO 1 of 3; one cold SQL recycled by the system.
    for lead in [*leads[:3], leads[4]]:
        decide(lead, True, at(5))
    decide(leads[3], False, at(5, 9), reason="bad_fit_x", note="Ten employees, too small")
    decide(leads[5], False, at(6), reason="bad_fit_x")
    decide(leads[6], False, at(8, 23, 30), reason="no_budget", note="Budget frozen until Q3")
    decide(LeadFactory(tenant=tenant), False, at(7), reason="went_cold")
    before = LeadFactory.create_batch(2, tenant=tenant)
    decide(before[0], True, at(26, month=2))
    decide(before[1], False, at(27, month=2), reason="no_budget")
    # Breaches on the period's obligations: Anna twice, Bruno once, one SQL nobody took;
    # one on an obligation of the week before.
    anna = member(tenant, Role.SALES_REP, email="anna@acme.example")
    bruno = member(tenant, Role.SALES_REP, email="bruno@acme.example")
    for owner, kind in (
        (anna, "accept"),
        (anna, "first_touch"),
        (bruno, "accept"),
        (None, "accept"),
    ):
        BreachFactory(
            tenant=tenant,
            breached_at=at(9),  # after the period: what counts is when the SQL came in
            obligation__opened_at=at(6),
            obligation__owner=owner,
            obligation__kind=kind,
        )
    BreachFactory(tenant=tenant, breached_at=at(2), obligation__opened_at=at(24, month=2))
    # Answers to the period's SQLs: 1, 2 and 6 business hours (the 6 came late, after the
    # period, and still counts); one SQL of the week before took 3.
    for response, status, answered in ((1.0, "met", at(4)), (2.0, "met", at(5)),
                                       (6.0, "breached", at(9))):  # fmt: skip
        ObligationFactory(
            tenant=tenant,
            status=status,
            opened_at=at(4, 9),
            met_at=answered,
            breached_at=at(4, 13),
            response_business_hours=response,
        )
    ObligationFactory(
        tenant=tenant,
        status="met",
        opened_at=at(26, month=2),
        met_at=at(26, month=2),
        response_business_hours=3.0,
    )
    # Cold: two went cold in the period, one long before.
    LeadFactory(tenant=tenant, stage=Stage.MQL, is_cold=True, cold_since=at(6))
    LeadFactory(tenant=tenant, stage=Stage.SQL, is_cold=True, cold_since=at(7))
    LeadFactory(tenant=tenant, stage=Stage.MQL, is_cold=True, cold_since=at(1))
    return {"anna": anna, "bruno": bruno}


def test_volumes_count_hand_offs_in_the_tenants_days_against_prorated_targets(tenant, week):
    _, agenda = generate(tenant)

    mqls, sqls = agenda["mql_volume"], agenda["sql_volume"]
    assert mqls.figures == {
        "count": 4,
        "previous": 5,
        "target": 45,
        "monthly_target": 200,
        "days": 7,
    }
    assert mqls.title == "MQLs 4 — below the 45 targeted"
    assert sqls.figures["count"] == 7
    assert sqls.figures["target"] == 18  # 80 * 7/31
    assert sqls.title == "SQL hand-offs 7 — below the 18 targeted"


def test_the_agenda_and_the_compliance_report_count_the_same_hand_offs(tenant, week):
    from sla.compliance.report import compliance_report
    from smarketing.periods import Period

    _, agenda = generate(tenant)
    with tenant_scope(tenant):
        report = compliance_report(
            period=Period(date(2026, 3, 2), date(2026, 3, 8)), group_by=None, state=None
        )
    assert agenda["mql_volume"].figures["count"] == report["marketing"]["mqls"]
    assert agenda["sql_volume"].figures["count"] == report["marketing"]["sql_handoffs"]
    assert agenda["acceptance"].figures["accepted"] == report["marketing"]["accepted"]


def test_acceptance_rate_leaves_cold_recycling_out_and_compares_with_the_agreed_minimum(
    tenant, week
):
    _, agenda = generate(tenant)

    item = agenda["acceptance"]
    assert item.figures == {
        "rate": 0.571,
        "accepted": 4,
        "rejected": 3,
        "previous_rate": 0.5,
        "min_rate": 0.6,
    }
    assert item.title == "Acceptance rate 57% — below the 60% agreed"
    assert "Previous period: 50%" in item.body


def test_breaches_of_the_periods_sqls_name_the_three_reps_with_most(tenant, week):
    _, agenda = generate(tenant)

    item = agenda["breaches"]
    assert item.title == "SLA breaches 4 — up from 1"
    assert (item.figures["accept"], item.figures["first_touch"]) == (3, 1)
    assert item.figures["by_rep"] == [
        {"rep": {"id": week["anna"].pk, "email": "anna@acme.example"}, "count": 2},
        {"rep": {"id": week["bruno"].pk, "email": "bruno@acme.example"}, "count": 1},
        {"rep": None, "count": 1},
    ]


def test_median_accept_response_of_the_periods_sqls_includes_late_answers(tenant, week):
    _, agenda = generate(tenant)

    item = agenda["response_time"]
    assert item.figures == {
        "median_hours": 2.0,
        "answered": 3,
        "previous_median_hours": 3.0,
        "agreed_hours": 4.0,
    }
    assert item.title == "Median accept response 2 business hours — within the 4 agreed"


def test_rejection_reasons_are_counted_with_labels_and_the_latest_notes(tenant, week):
    _, agenda = generate(tenant)

    item = agenda["rejections"]
    assert item.title == "Top rejection reasons: Bad fit (size) (2), No budget (1)"
    assert [r["count"] for r in item.figures["reasons"]] == [2, 1]
    assert [n["note"] for n in item.figures["notes"]] == [
        "Budget frozen until Q3",
        "Ten employees, too small",
    ]
    assert item.figures["previous"] == 1


def test_cold_leads_count_those_cold_now_and_those_that_went_cold_in_the_period(tenant, week):
    _, agenda = generate(tenant)

    item = agenda["cold_leads"]
    assert item.figures == {
        "cold_now": 3,
        "by_stage": {"mql": 2, "sql": 1},
        "went_cold": 2,
        "recycled": 1,
    }
    assert item.title == "Cold leads 3 — 2 went cold in the period"


def test_personas_are_ranked_by_acceptance(tenant, week):
    _, agenda = generate(tenant)

    item = agenda["personas"]
    assert [(p["name"], p["rate"]) for p in item.figures["personas"]] == [
        ("Ops lead", 0.75),
        ("CFO", 0.333),
    ]
    assert item.title == "Persona acceptance: best Ops lead 75%, worst CFO 33%"


def test_open_action_items_of_earlier_meetings_come_overdue_first(tenant, member):
    earlier = MeetingFactory(tenant=tenant, scheduled_at=at(2, 10))
    later = MeetingFactory(tenant=tenant, scheduled_at=at(16, 10))
    late = ActionItemFactory(tenant=tenant, meeting=earlier, due_on=date(2026, 3, 5))
    ActionItemFactory(tenant=tenant, meeting=earlier, due_on=date(2026, 3, 20))
    ActionItemFactory(
        tenant=tenant, meeting=earlier, due_on=date(2026, 3, 1), status="done", done_at=at(2)
    )
    ActionItemFactory(tenant=tenant, meeting=later, due_on=date(2026, 3, 1))

    _, agenda = generate(tenant)

    item = agenda["action_items"]
    assert item.title == "Open action items 2 — 1 overdue"
    first, second = item.figures["items"]
    assert (first["id"], first["overdue"], second["overdue"]) == (late.pk, True, False)


def test_without_an_active_sla_the_points_compare_with_the_previous_period_only(tenant):
    for lead in LeadFactory.create_batch(2, tenant=tenant):
        move(lead, "mql", at(3))
    move(LeadFactory(tenant=tenant), "mql", at(27, month=2))

    _, agenda = generate(tenant)

    assert agenda["mql_volume"].title == "MQLs 2 — up from 1"
    assert "No SLA is active." in agenda["mql_volume"].body
    assert agenda["acceptance"].title == "Acceptance rate — sales accepted or rejected no hand-off"
    assert agenda["breaches"].title == "No SLA breaches (previous period 0)"
    assert agenda["personas"].title == "Persona acceptance — too few decided hand-offs to compare"


def test_every_point_is_generated_in_a_fixed_order(tenant):
    _, agenda = generate(tenant)

    assert [item.position for item in agenda.values()] == list(range(1, 10))
    assert list(agenda) == [
        "mql_volume",
        "sql_volume",
        "acceptance",
        "breaches",
        "response_time",
        "rejections",
        "cold_leads",
        "personas",
        "action_items",
    ]


@pytest.mark.parametrize(
    ("first", "last", "expected"),
    [
        (date(2026, 2, 1), date(2026, 2, 28), 80),  # a whole month is the monthly target
        (date(2026, 3, 1), date(2026, 3, 31), 80),
        (date(2026, 3, 2), date(2026, 3, 8), 18),  # 80 * 7/31 = 18.06
        (date(2026, 2, 23), date(2026, 3, 1), 20),  # 80 * (6/28 + 1/31) = 19.72
    ],
)
def test_monthly_targets_are_prorated_by_the_days_of_each_month(first, last, expected):
    assert prorated_target(80, first, last) == expected
