"""The rep's home: my queue with its overdue and due-soon SQLs, and first touches owed."""

from datetime import UTC, datetime, timedelta

import pytest

from sla.home import first_touch_tile, queue_tile
from smarketing.tenancy.roles import Role
from smarketing.tenancy.scope import tenant_scope
from tests.home.conftest import visit_of
from tests.leads.factories import LeadFactory
from tests.sla.factories import ROME_OFFICE, ObligationFactory

pytestmark = pytest.mark.django_db

# Friday 4 December 2026, 17:30 in Rome: half an hour of the week's business time is left.
FRIDAY_EVENING = datetime(2026, 12, 4, 16, 30, tzinfo=UTC)
MONDAY = datetime(2026, 12, 7, tzinfo=UTC)


def figures(tile) -> dict:
    return {figure.label: figure.value for figure in tile.figures}


@pytest.fixture
def rome_sla(active_sla):
    return active_sla(calendar=dict(ROME_OFFICE))


def test_due_soon_counts_two_business_hours_across_the_weekend(tenant, people, rome_sla, clock):
    clock.set(FRIDAY_EVENING)
    # 17:30-18:00 Friday, then 09:00-10:30 Monday (Rome, UTC+1): due soon until 09:30 UTC.
    LeadFactory(tenant=tenant, stage="sql", accept_due_at=MONDAY + timedelta(hours=9, minutes=15))
    LeadFactory(tenant=tenant, stage="sql", accept_due_at=MONDAY + timedelta(hours=9, minutes=45))
    LeadFactory(tenant=tenant, stage="sql", accept_due_at=FRIDAY_EVENING - timedelta(minutes=1))
    rep = people[Role.SALES_REP]
    with tenant_scope(tenant):
        tile = queue_tile(visit_of(tenant, rep, Role.SALES_REP, now=FRIDAY_EVENING))
    assert figures(tile) == {"Waiting": 3, "Overdue": 1, "Due within 2 business hours": 1}
    assert [row.tone for row in tile.rows] == ["alert", "warn", ""]
    assert tile.note == ""


def test_the_queue_page_filters_what_is_due_soon(tenant, people, rome_sla, clock, client_for):
    clock.set(FRIDAY_EVENING)
    soon = LeadFactory(tenant=tenant, stage="sql",
                       accept_due_at=MONDAY + timedelta(hours=9, minutes=15))  # fmt: skip
    later = LeadFactory(tenant=tenant, stage="sql", accept_due_at=MONDAY + timedelta(hours=12))
    html = (
        client_for(people[Role.SALES_REP])
        .get(f"/t/{tenant.slug}/queue/?due_soon=on")
        .content.decode()
    )
    assert f'data-lead="{soon.email}"' in html
    assert f'data-lead="{later.email}"' not in html


def test_without_an_sla_the_queue_tile_says_how_to_activate_one(tenant, people):
    LeadFactory(tenant=tenant, stage="sql")
    with tenant_scope(tenant):
        tile = queue_tile(visit_of(tenant, people[Role.SALES_REP], Role.SALES_REP))
    assert figures(tile)["Waiting"] == 1
    assert figures(tile)["Due within 2 business hours"] == 0
    assert "No SLA is in force" in tile.note
    assert tile.note_url == f"/t/{tenant.slug}/sla/"


def test_first_touches_owed_are_mine_and_pending_with_their_deadlines(tenant, people, active_sla,
                                                                     member):  # fmt: skip
    active_sla()
    rep, now = people[Role.SALES_REP], datetime.now(UTC)
    other = member(tenant, Role.SALES_REP)
    late = ObligationFactory(tenant=tenant, kind="first_touch", owner=rep,
                             opened_at=now - timedelta(hours=9))  # fmt: skip
    due = ObligationFactory(tenant=tenant, kind="first_touch", owner=rep, opened_at=now)
    ObligationFactory(tenant=tenant, kind="first_touch", owner=other, opened_at=now)
    ObligationFactory(tenant=tenant, kind="first_touch", owner=rep, status="met", met_at=now)
    ObligationFactory(tenant=tenant, kind="accept", owner=rep, opened_at=now)
    with tenant_scope(tenant):
        tile = first_touch_tile(visit_of(tenant, rep, Role.SALES_REP, now=now))
    assert figures(tile) == {"Accepted, not touched yet": 2, "Past the deadline": 1}
    assert [row.when for row in tile.rows] == [late.due_at, due.due_at]
    assert tile.url == f"/t/{tenant.slug}/leads/?owner=me&first_touch=owed"


def test_the_lead_list_filters_leads_owing_a_first_touch(tenant, people, active_sla, client_for):
    active_sla()
    rep = people[Role.SALES_REP]
    owed = ObligationFactory(
        tenant=tenant,
        kind="first_touch",
        owner=rep,
        lead=LeadFactory(tenant=tenant, stage="sql", owner=rep),
    )
    touched = ObligationFactory(
        tenant=tenant,
        kind="first_touch",
        owner=rep,
        status="met",
        met_at=datetime.now(UTC),
        lead=LeadFactory(tenant=tenant, stage="sql", owner=rep),
    )
    html = (
        client_for(rep).get(f"/t/{tenant.slug}/leads/?owner=me&first_touch=owed").content.decode()
    )
    assert owed.lead.email in html
    assert touched.lead.email not in html


def test_without_an_sla_no_first_touch_has_a_deadline_and_the_tile_says_so(tenant, people):
    with tenant_scope(tenant):
        tile = first_touch_tile(visit_of(tenant, people[Role.SALES_REP], Role.SALES_REP))
    assert "No SLA is in force" in tile.note
