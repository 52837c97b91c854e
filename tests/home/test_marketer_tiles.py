"""The marketer's home: rejections since the last visit, pace against the SLA, cold MQLs."""

from datetime import UTC, datetime, timedelta

import pytest

from leads.home import cold_mqls_tile, rejections_tile
from sla.home import pace_tile
from smarketing.home.services import VISIT_GAP, home_visit_record
from smarketing.tenancy.roles import Role
from smarketing.tenancy.scope import tenant_scope
from tests.home.conftest import visit_of
from tests.leads.factories import LeadFactory, RejectionReasonFactory, StageTransitionFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2027, 2, 15, 12, tzinfo=UTC)


def figures(tile) -> dict:
    return {figure.label: figure.value for figure in tile.figures}


def reject(tenant, *, at, reason="bad_fit", note=""):
    lead = LeadFactory(tenant=tenant, stage="recycled")
    return StageTransitionFactory(
        lead=lead,
        action="reject",
        from_stage="sql",
        to_stage="recycled",
        reason_code=reason,
        note=note,
        at=at,
    )


def test_rejections_since_the_last_visit_leave_out_cold_recycles(tenant, people):
    last_visit = NOW - timedelta(days=2)
    RejectionReasonFactory(tenant=tenant, code="too_small", label="Company too small")
    reject(tenant, at=NOW - timedelta(hours=1), reason="too_small", note="Ten people")
    reject(tenant, at=NOW - timedelta(hours=2), reason="too_small")
    reject(tenant, at=NOW - timedelta(hours=3), reason="no_budget")
    reject(tenant, at=NOW - timedelta(hours=4), reason="went_cold")  # the SLA's recycle
    reject(tenant, at=last_visit - timedelta(minutes=1))  # before the last visit
    marketer = people[Role.MARKETER]
    with tenant_scope(tenant):
        tile = rejections_tile(visit_of(tenant, marketer, Role.MARKETER, now=NOW,
                                        last_visit=last_visit))  # fmt: skip
    assert figures(tile) == {
        "Rejected since your last visit": 3, "Company too small": 2, "No budget": 1,
    }  # fmt: skip
    assert len(tile.rows) == 3
    assert tile.rows[0].detail.startswith("Company too small · Ten people")
    assert tile.url == (f"/t/{tenant.slug}/feedback/?group_by=reason"
                        "&from=2027-02-13&to=2027-02-15")  # fmt: skip


def test_a_first_visit_shows_the_last_week_of_rejections(tenant, people):
    reject(tenant, at=NOW - timedelta(days=6))
    reject(tenant, at=NOW - timedelta(days=8))
    with tenant_scope(tenant):
        tile = rejections_tile(visit_of(tenant, people[Role.MARKETER], Role.MARKETER, now=NOW))
    assert figures(tile)["Rejected in the last 7 days"] == 1


def test_a_visit_starts_after_a_gap_and_a_reload_keeps_its_window(tenant, people):
    marketer = people[Role.MARKETER]
    with tenant_scope(tenant):
        assert home_visit_record(tenant=tenant, user=marketer, now=NOW) is None
        later = NOW + VISIT_GAP + timedelta(minutes=1)
        assert home_visit_record(tenant=tenant, user=marketer, now=later) == NOW
        reload = later + timedelta(minutes=5)
        assert home_visit_record(tenant=tenant, user=marketer, now=reload) == NOW
        next_day = reload + timedelta(days=1)
        assert home_visit_record(tenant=tenant, user=marketer, now=next_day) == reload


def test_the_home_counts_rejections_since_the_members_previous_visit(tenant, people, client_for,
                                                                    clock):  # fmt: skip
    client = client_for(people[Role.MARKETER])
    first = clock.set(datetime.now(UTC))  # the session's clock: a real date
    client.get(f"/t/{tenant.slug}/")
    reject(tenant, at=first - timedelta(minutes=1), note="Seen on the first visit")
    reject(tenant, at=first + timedelta(hours=1), note="Seen on the next visit")
    clock.set(first + timedelta(hours=3))
    response = client.get(f"/t/{tenant.slug}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Seen on the next visit" in html
    assert "Seen on the first visit" not in html
    assert 'data-figure="Rejected since your last visit"' in html


def test_pace_compares_the_month_with_the_prorated_targets(tenant, people, active_sla):
    # Mid-February on a calendar that never closes: half the month has passed.
    active_sla(monthly_mql_target=100, monthly_sql_target=10)
    tenant.timezone = "UTC"
    for _ in range(40):
        StageTransitionFactory(lead=LeadFactory(tenant=tenant), at=NOW - timedelta(hours=1))
    for _ in range(6):
        StageTransitionFactory(lead=LeadFactory(tenant=tenant), from_stage="mql", to_stage="sql",
                               at=NOW - timedelta(hours=1))  # fmt: skip
    StageTransitionFactory(lead=LeadFactory(tenant=tenant), at=datetime(2027, 1, 31, tzinfo=UTC))
    with tenant_scope(tenant):
        tile = pace_tile(visit_of(tenant, people[Role.MARKETER], Role.MARKETER, now=NOW))
    mqls, sqls = tile.figures
    assert (mqls.value, mqls.tone) == ("40 of 100", "warn")
    assert mqls.detail.startswith(f"{round(100 * 14.5 / 28)} expected by now")
    assert (sqls.value, sqls.tone) == ("6 of 10", "ok")
    assert tile.note == ""


def test_without_an_sla_the_pace_tile_says_how_to_activate_one(tenant, people):
    with tenant_scope(tenant):
        tile = pace_tile(visit_of(tenant, people[Role.MARKETER], Role.MARKETER, now=NOW))
    assert tile.figures == []
    assert "No SLA is in force" in tile.note and "activates it" in tile.note
    assert tile.note_url == f"/t/{tenant.slug}/sla/"
    with tenant_scope(tenant):
        tile = pace_tile(visit_of(tenant, people[Role.MANAGER], Role.MANAGER, now=NOW))
    assert tile.note_url == f"/t/{tenant.slug}/sla/versions/new/"


def test_cold_mqls_are_listed_longest_cold_first(tenant, people):
    older = LeadFactory(tenant=tenant, stage="mql", is_cold=True, cold_since=NOW - timedelta(9))
    newer = LeadFactory(tenant=tenant, stage="mql", is_cold=True, cold_since=NOW - timedelta(1))
    LeadFactory(tenant=tenant, stage="mql", is_cold=False)
    LeadFactory(tenant=tenant, stage="sql", is_cold=True)
    with tenant_scope(tenant):
        tile = cold_mqls_tile(visit_of(tenant, people[Role.MARKETER], Role.MARKETER, now=NOW))
    assert figures(tile) == {"MQLs gone cold": 2}
    assert [row.text for row in tile.rows] == [older.full_name, newer.full_name]
    assert tile.url == f"/t/{tenant.slug}/leads/?stage=mql&is_cold=true"


def test_a_lazily_fetched_tile_keeps_the_window_of_the_visit(tenant, people, client_for, clock):
    client = client_for(people[Role.MARKETER])
    first = clock.set(datetime.now(UTC))
    client.get(f"/t/{tenant.slug}/")
    reject(tenant, at=first + timedelta(hours=1), note="New since the first visit")
    clock.set(first + timedelta(hours=3))
    client.get(f"/t/{tenant.slug}/")
    html = client.get(f"/t/{tenant.slug}/home/tiles/rejections/").content.decode()
    assert 'data-figure="Rejected since your last visit"' in html
    assert "New since the first visit" in html
