"""Property: the monthly level changes no figure. A report that reads whole months from
`ObligationMonthRollup` equals the same report read from the daily rows alone (itself
checked against a direct computation in test_compliance_properties), for random data over
four months, any rolled-up boundary, any range, late changes to old days, any grouping; and
an edge of a range read as its month minus the month's other days gives the same figures."""

from datetime import UTC, date, datetime, timedelta
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sla import services
from sla.compliance import report as report_module
from sla.compliance.months import split_by_months
from sla.compliance.report import compliance_report
from sla.models import Obligation, ObligationMonthRollup
from smarketing.periods import Period
from smarketing.tenancy.roles import Role
from smarketing.tenancy.scope import tenant_scope
from tests.leads.factories import LeadFactory
from tests.queue.factories import TeamMemberFactory
from tests.sla.factories import ROME_OFFICE

pytestmark = pytest.mark.django_db

ZONE = ZoneInfo("Europe/Rome")
NOW = datetime(2026, 4, 6, 15, 0, tzinfo=UTC)
DAYS = 80  # mid-January to early April: two whole months and two partial ones
LEADS = 40

obligation_spec = st.fixed_dictionaries({
    "minutes_ago": st.integers(min_value=0, max_value=DAYS * 24 * 60),
    "kind": st.sampled_from(["accept", "first_touch"]),
    "owner": st.integers(min_value=0, max_value=3),  # 3: nobody
    "status": st.sampled_from(["pending", "met", "breached", "cancelled"]),
    "hours": st.floats(min_value=0, max_value=40, allow_nan=False).map(lambda h: round(h, 2)),
})  # fmt: skip


@pytest.fixture
def world(tenant, member, active_sla):
    version = active_sla(calendar={**ROME_OFFICE, "working_hours": {
        k: [["00:00", "24:00"]] for k in ROME_OFFICE["working_hours"]}})  # fmt: skip
    reps = [member(tenant, Role.SALES_REP) for _ in range(3)]
    team_id = TeamMemberFactory(tenant=tenant, user=reps[0]).team_id
    leads = [LeadFactory(tenant=tenant, stage="sql") for _ in range(LEADS)]
    return {"tenant": tenant, "version": version, "reps": reps, "leads": leads, "team": team_id}


def _arrange(world, obligations):
    rows = []
    for index, spec in enumerate(obligations):
        # Spread over the whole span (drawn values crowd near zero), jittered by the draw.
        minutes = (spec["minutes_ago"] + index * DAYS * 24 * 60 // LEADS) % (DAYS * 24 * 60)
        opened = NOW - timedelta(minutes=minutes)
        status = spec["status"]
        answered = status == "met" or (status == "breached" and spec["hours"] > 4)
        rows.append(Obligation(
            tenant=world["tenant"], lead=world["leads"][index], version=world["version"],
            kind=spec["kind"], status=spec["status"], within_hours=4,
            owner=world["reps"][spec["owner"]] if spec["owner"] < 3 else None,
            opened_at=opened, due_at=opened + timedelta(hours=4),
            warn_at=opened + timedelta(hours=3),
            met_at=opened + timedelta(hours=spec["hours"]) if answered else None,
            response_business_hours=spec["hours"] if answered else None,
            breached_at=opened + timedelta(hours=4) if spec["status"] == "breached" else None,
            cancelled_at=opened if spec["status"] == "cancelled" else None,
        ))  # fmt: skip
    Obligation.all_tenants.bulk_create(rows)


def _days_only(first: date, last: date):
    return [], [(first, last)] if first <= last else []


def _as_days(edges):
    """No edge read as its month minus its other days: every day from the daily rows."""
    return [], edges, []


def _same(served, expected, where="report") -> None:
    """Equal, floats to 1e-9 (sums of response hours add up in another order by month)."""
    if isinstance(expected, dict):
        assert set(served) == set(expected), where
        for key in expected:
            if key != "generated_at":
                _same(served[key], expected[key], f"{where}.{key}")
    elif isinstance(expected, list):
        assert len(served) == len(expected), where
        for n, (a, b) in enumerate(zip(served, expected, strict=True)):
            _same(a, b, f"{where}[{n}]")
    elif isinstance(expected, float):
        assert served == pytest.approx(expected, rel=1e-9, abs=1e-9), where
    else:
        assert served == expected, where


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    obligations=st.lists(obligation_spec, min_size=LEADS // 2, max_size=LEADS),
    # Mostly rolled up lately and ranges of a month or more: whole months are then read.
    built_days_ago=st.one_of(st.integers(0, 5), st.integers(0, DAYS)),
    first_ago=st.one_of(st.integers(35, DAYS), st.integers(0, DAYS)),
    length=st.one_of(st.integers(35, DAYS), st.integers(1, DAYS)),
    group_by=st.sampled_from([None, "rep", "team"]),
    team=st.booleans(),
    late_answers=st.integers(min_value=0, max_value=4),
)  # fmt: skip
def test_reading_whole_months_gives_the_figures_of_the_days(
    world, clock, obligations, built_days_ago, first_ago, length, group_by, team, late_answers
):
    tenant = world["tenant"]
    with transaction.atomic(), tenant_scope(tenant):
        _arrange(world, obligations)
        clock.set(NOW - timedelta(days=built_days_ago))
        services.compliance_rollups_build(tenant_id=tenant.pk)
        clock.set(NOW)
        # Answers today to obligations of old days: their days and months are rebuilt.
        pending = Obligation.objects.filter(status="pending").order_by("opened_at")
        for obligation in list(pending[:late_answers]):
            services.obligations_respond(kind=obligation.kind,
                                         answered_at={obligation.lead_id: NOW})  # fmt: skip
        start = NOW.astimezone(ZONE).date() - timedelta(days=first_ago)
        period = Period(start, start + timedelta(days=length - 1))
        state = services.compliance_rollups_refresh(tenant_id=tenant.pk)
        team_id = world["team"] if team else None
        served = compliance_report(period=period, group_by=group_by, state=state, now=NOW,
                                   team_id=team_id)  # fmt: skip
        with (
            mock.patch.object(report_module, "split_by_months", _days_only),
            mock.patch.object(report_module, "complemented", _as_days),
        ):
            from_days = compliance_report(period=period, group_by=group_by, state=state,
                                          now=NOW, team_id=team_id)  # fmt: skip
        _same(served, from_days)
        transaction.set_rollback(True)


def test_months_are_rebuilt_with_their_days_and_a_year_reads_them(tenant, active_sla, clock):
    """Not vacuous: the months exist, sum their days, and the report reads them."""
    version = active_sla()
    leads = [LeadFactory(tenant=tenant, stage="sql") for _ in range(3)]
    times = [datetime(2026, 1, 5, 10, tzinfo=UTC), datetime(2026, 1, 20, 10, tzinfo=UTC),
             datetime(2026, 2, 3, 10, tzinfo=UTC)]  # fmt: skip
    for lead, opened in zip(leads, times, strict=True):
        Obligation.all_tenants.create(
            tenant=tenant, lead=lead, version=version, kind="accept", status="met",
            within_hours=4, opened_at=opened, due_at=opened + timedelta(hours=4),
            warn_at=opened + timedelta(hours=3), met_at=opened + timedelta(hours=2),
            response_business_hours=2,
        )  # fmt: skip
    clock.set(datetime(2026, 3, 10, 12, tzinfo=UTC))
    services.compliance_rollups_build(tenant_id=tenant.pk)
    for all_reps in (False, True):
        rows = ObligationMonthRollup.all_tenants.filter(all_reps=all_reps)
        months = {row.month: row for row in rows}
        assert months[date(2026, 1, 1)].opened == 2
        assert months[date(2026, 1, 1)].response_counts == [200, 2]
        assert months[date(2026, 2, 1)].opened == 1
    with tenant_scope(tenant):
        state = services.compliance_rollups_refresh(tenant_id=tenant.pk)
        read = []
        real = report_module.month_cells

        def spy(whole, **options):
            read.extend(whole)
            return real(whole, **options)

        with mock.patch.object(report_module, "month_cells", spy):
            report = compliance_report(
                period=Period(date(2025, 12, 20), date(2026, 3, 9)),
                group_by=None, state=state,
            )  # fmt: skip
    assert read == [date(2026, 1, 1), date(2026, 2, 1)]
    assert report["sales"]["opened"] == 3
    assert report["sales"]["median_response_hours"] == 2.0


def test_a_range_splits_into_whole_months_and_its_edge_days():
    months, edges = split_by_months(date(2026, 1, 15), date(2026, 4, 2))
    assert months == [date(2026, 2, 1), date(2026, 3, 1)]
    assert edges == [(date(2026, 1, 15), date(2026, 1, 31)), (date(2026, 4, 1), date(2026, 4, 2))]
    assert split_by_months(date(2026, 2, 1), date(2026, 2, 28)) == ([date(2026, 2, 1)], [])
    assert split_by_months(date(2026, 2, 2), date(2026, 2, 28)) == (
        [], [(date(2026, 2, 2), date(2026, 2, 28))])  # fmt: skip


def test_a_year_without_a_split_by_rep_counts_each_response_time_once(
    tenant, member, active_sla, clock
):
    """Two reps answered in January: the year's totals read the month's all-reps times."""
    version = active_sla()
    reps = [member(tenant, Role.SALES_REP) for _ in range(2)]
    answers = [(reps[0], 1), (reps[0], 3), (reps[1], 2), (reps[1], 8)]
    for rep, hours in answers:
        opened = datetime(2026, 1, 10, 10, tzinfo=UTC)
        Obligation.all_tenants.create(
            tenant=tenant, lead=LeadFactory(tenant=tenant, stage="sql"), version=version,
            kind="accept", status="met", owner=rep, within_hours=4, opened_at=opened,
            due_at=opened + timedelta(hours=4), warn_at=opened + timedelta(hours=3),
            met_at=opened + timedelta(hours=hours), response_business_hours=hours,
        )  # fmt: skip
    clock.set(datetime(2026, 3, 10, 12, tzinfo=UTC))
    services.compliance_rollups_build(tenant_id=tenant.pk)
    with tenant_scope(tenant):
        state = services.compliance_rollups_refresh(tenant_id=tenant.pk)
        report = compliance_report(period=Period(date(2026, 1, 1), date(2026, 2, 28)),
                                   group_by=None, state=state)  # fmt: skip
    assert report["sales"]["responses"] == 4
    assert report["sales"]["median_response_hours"] == 2.5
    assert report["sales"]["mean_response_hours"] == 3.5
    assert sorted(row["opened"] for row in report["breaches_by_rep"]) == [2, 2]


@pytest.mark.parametrize("group_by", [None, "rep", "team"])
def test_an_edge_read_as_its_month_minus_its_other_days_gives_the_days_figures(
    world, clock, group_by
):
    """From the 5th of February: the 24 days up to the month's end are February's row minus
    its first four days, whose obligations, reps and response times all drop out (rep 2
    opened nothing else: no row of theirs may be left with zeros)."""
    statuses = ["met", "breached", "met", "cancelled", "pending"]
    obligations = [
        # Two days apart: n = 31 and 32 open on 3 and 1 February, the only ones of rep 2.
        {"minutes_ago": 0, "kind": ("accept", "first_touch")[n % 2],
         "owner": 2 if n in (31, 32) else (0, 1, 3)[n % 3],
         "status": statuses[n % 5], "hours": round(0.5 + n * 0.37, 2)}
        for n in range(LEADS)
    ]  # fmt: skip
    tenant = world["tenant"]
    with tenant_scope(tenant):
        _arrange(world, obligations)
        clock.set(NOW)
        services.compliance_rollups_build(tenant_id=tenant.pk)
        state = services.compliance_rollups_refresh(tenant_id=tenant.pk)
        period = Period(date(2026, 2, 5), date(2026, 3, 31))
        assert report_module.complemented([(date(2026, 2, 5), date(2026, 2, 28))])[0] == [
            date(2026, 2, 1)
        ]
        served = compliance_report(period=period, group_by=group_by, state=state, now=NOW)
        with (
            mock.patch.object(report_module, "split_by_months", _days_only),
            mock.patch.object(report_module, "complemented", _as_days),
        ):
            from_days = compliance_report(period=period, group_by=group_by, state=state, now=NOW)
        assert Obligation.objects.filter(opened_at__lt=datetime(2026, 2, 5, tzinfo=UTC)).filter(
            opened_at__gte=datetime(2026, 2, 1, tzinfo=UTC)).exists()  # fmt: skip
    _same(served, from_days)
