"""Daily rollups: idempotent, rebuilt for dirty days, a new timezone rebuilds everything."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from sla import services, tasks
from sla.compliance.report import compliance_report
from sla.models import FunnelRollup, ObligationRollup, RollupDirtyDay, RollupState, SlaVersion
from sla.services.rollups import WINDOW_DAYS, _runs, local_days_of_utc_date, rollup_days_touch
from smarketing.celery import app
from smarketing.periods import Period
from smarketing.tenancy.roles import Role
from smarketing.tenancy.scope import tenant_scope
from tests.leads.factories import StageTransitionFactory
from tests.row_locks import row_locked
from tests.scopes import deployed
from tests.sla.factories import ALWAYS_OPEN, ObligationFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 5, 20, 10, 0, tzinfo=UTC)


def _rows(tenant):
    with tenant_scope(tenant):
        return sorted(
            ObligationRollup.objects.values_list(
                "day", "kind", "owner_id", "opened", "met_on_time", "breached",
                "response_hundredths",
            )
        )  # fmt: skip


def _funnel(tenant):
    with tenant_scope(tenant):
        return [(day.isoformat(), mqls) for day, mqls in
                FunnelRollup.objects.order_by("day").values_list("day", "mqls")]  # fmt: skip


def _report(tenant, *, days=10, group_by=None):
    with tenant_scope(tenant):
        state = services.compliance_rollups_refresh(tenant_id=tenant.pk)
        period = Period((NOW - timedelta(days=days)).date(), NOW.date())
        return compliance_report(period=period, group_by=group_by, state=state, now=NOW)


@pytest.fixture
def rep(tenant, member):
    return member(tenant, Role.SALES_REP)


def test_running_the_rollup_twice_writes_the_same_rows(tenant, active_sla, rep, clock):
    active_sla()
    clock.set(NOW)
    for days_ago, status in ((1, "met"), (3, "breached"), (3, "met"), (5, "pending")):
        opened = NOW - timedelta(days=days_ago)
        ObligationFactory(
            tenant=tenant, owner=rep, status=status, opened_at=opened,
            met_at=opened + timedelta(hours=2) if status == "met" else None,
            breached_at=opened + timedelta(hours=4) if status == "breached" else None,
            response_business_hours=2.0 if status == "met" else None,
        )  # fmt: skip
    first = services.compliance_rollups_build(tenant_id=tenant.pk)
    rows = _rows(tenant)
    assert first["full"] == 1
    # Every day from the first obligation's (five days ago) through today is written.
    assert first["days"] == 6
    assert sum(row[3] for row in rows) == 4
    services.compliance_rollups_build(tenant_id=tenant.pk)
    assert _rows(tenant) == rows
    services.compliance_rollups_build(tenant_id=tenant.pk, full=True)
    assert _rows(tenant) == rows


def test_a_breach_by_the_sweep_on_a_rolled_up_day_reaches_the_report(
    tenant, active_sla, rep, clock
):
    active_sla()
    clock.set(NOW)
    opened = NOW - timedelta(days=3)
    ObligationFactory(
        tenant=tenant, owner=rep, opened_at=opened, due_at=opened + timedelta(hours=4)
    )
    services.compliance_rollups_build(tenant_id=tenant.pk)
    assert _report(tenant)["sales"]["pending"] == 1

    services.sla_sweep(now=NOW)

    with tenant_scope(tenant):
        assert RollupDirtyDay.objects.filter(day=opened.date()).exists()
    sales = _report(tenant)["sales"]
    assert (sales["pending"], sales["breached"], sales["on_time_rate"]) == (0, 1, 0.0)
    with tenant_scope(tenant):
        assert not RollupDirtyDay.objects.exists()  # the report rebuilt the day and took the mark


def test_a_late_answer_on_an_old_day_is_counted_as_met_late(tenant, active_sla, rep, clock):
    active_sla()
    clock.set(NOW)
    opened = NOW - timedelta(days=2)
    obligation = ObligationFactory(
        tenant=tenant, owner=rep, opened_at=opened, due_at=opened + timedelta(hours=4)
    )
    services.compliance_rollups_build(tenant_id=tenant.pk)

    with tenant_scope(tenant):
        services.obligations_respond(kind="accept", answered_at={obligation.lead_id: NOW})

    sales = _report(tenant)["sales"]
    assert (sales["breached"], sales["met_late"], sales["responses"]) == (1, 1, 1)
    assert sales["median_response_hours"] == pytest.approx(48.0)


def test_a_late_change_rebuilds_its_local_days_and_leaves_every_other_days_rollups(
    tenant, active_sla, rep, clock
):
    active_sla(calendar={**ALWAYS_OPEN, "timezone": "Europe/Rome"})
    clock.set(NOW)
    # 23:30 UTC on 16 May is 01:30 on 17 May in Rome: that day's, in the SLA's timezone.
    late_evening = datetime(2026, 5, 16, 23, 30, tzinfo=UTC)
    for at in (datetime(2026, 5, 12, 12, tzinfo=UTC), late_evening,
               datetime(2026, 5, 19, 12, tzinfo=UTC)):  # fmt: skip
        StageTransitionFactory(lead__tenant=tenant, action="move", from_stage="lead",
                               to_stage="mql", at=at)  # fmt: skip
    obligation = ObligationFactory(tenant=tenant, owner=rep, opened_at=late_evening,
                                   due_at=late_evening + timedelta(hours=4))  # fmt: skip
    services.compliance_rollups_build(tenant_id=tenant.pk)
    funnel = [("2026-05-12", 1), ("2026-05-17", 1), ("2026-05-19", 1)]
    assert _funnel(tenant) == funnel

    with tenant_scope(tenant):  # marks its UTC day, 16 May, dirty
        services.obligations_respond(kind="accept", answered_at={obligation.lead_id: NOW})

    # The report rebuilds the local days that UTC day overlaps in Rome: 16 and 17 May.
    report = _report(tenant)
    assert (report["sales"]["pending"], report["sales"]["met_late"]) == (0, 1)
    assert report["marketing"]["mqls"] == 3
    assert _funnel(tenant) == funnel  # the days before and after kept their rows


def _state(tenant):
    with tenant_scope(tenant):
        return RollupState.objects.get()


def test_each_build_writes_the_local_days_since_the_last_and_the_dirty_ones(
    tenant, active_sla, rep, clock
):
    """New York (UTC-4 in May): a UTC date and the local date differ in the evening."""
    active_sla(calendar={**ALWAYS_OPEN, "timezone": "America/New_York"})
    opened = datetime(2026, 5, 15, 2, tzinfo=UTC)  # 22:00 on 14 May in New York
    obligation = ObligationFactory(tenant=tenant, owner=rep, opened_at=opened,
                                   due_at=opened + timedelta(hours=4))  # fmt: skip
    first = datetime(2026, 5, 18, 2, tzinfo=UTC)  # 22:00 on 17 May there
    # The first build writes every local day from the first activity's to today's: 14-17 May.
    assert services.compliance_rollups_build(tenant_id=tenant.pk, now=first) == {
        "days": 4, "full": 1}  # fmt: skip
    assert [row[0].isoformat() for row in _rows(tenant)] == ["2026-05-14"]

    StageTransitionFactory(lead__tenant=tenant, action="move", from_stage="lead",
                           to_stage="mql", at=datetime(2026, 5, 19, 3, tzinfo=UTC))  # fmt: skip
    second = clock.set(datetime(2026, 5, 20, 2, tzinfo=UTC))  # 22:00 on 19 May there
    with tenant_scope(tenant):  # a late answer marks its UTC day, 15 May, dirty
        services.obligations_respond(kind="accept", answered_at={obligation.lead_id: second})

    # Since the last build's local day (17 May) to today (19 May), and the two local days
    # of the dirty UTC day (14 and 15 May): two runs of days.
    assert services.compliance_rollups_build(tenant_id=tenant.pk, now=second) == {
        "days": 5, "full": 0}  # fmt: skip
    assert _funnel(tenant) == [("2026-05-18", 1)]  # 23:00 on 18 May there
    assert [row[:6] for row in _rows(tenant)] == [(date(2026, 5, 14), "accept", rep.pk, 1, 0, 1)]
    assert _state(tenant).fresh_until == second - services.rollups.FRESH_MARGIN

    # A build whose clock is behind the last one's keeps what that one made fresh.
    services.compliance_rollups_build(tenant_id=tenant.pk, now=second - timedelta(hours=1))
    assert _state(tenant).fresh_until == second - services.rollups.FRESH_MARGIN


def test_a_change_within_the_fresh_margin_leaves_no_mark(tenant, active_sla, rep, clock):
    active_sla()
    clock.set(NOW)
    obligation = ObligationFactory(tenant=tenant, opened_at=NOW - timedelta(minutes=5))
    with tenant_scope(tenant):
        services.obligations_reassign(lead_id=obligation.lead_id, owner_id=rep.pk)
        assert not RollupDirtyDay.objects.exists()
    assert _report(tenant, group_by="rep")["sales"]["groups"][0]["owner"]["id"] == rep.pk


def test_a_new_sla_timezone_rebuilds_every_day(tenant, active_sla, clock):
    version = active_sla()
    clock.set(NOW)
    # 23:30 UTC is the same day in UTC and the next day in Rome.
    ObligationFactory(tenant=tenant, opened_at=datetime(2026, 5, 18, 23, 30, tzinfo=UTC))
    services.compliance_rollups_build(tenant_id=tenant.pk)
    assert [row[0].isoformat() for row in _rows(tenant)] == ["2026-05-18"]

    SlaVersion.all_tenants.filter(pk=version.pk).update(
        calendar={**ALWAYS_OPEN, "timezone": "Europe/Rome"}
    )
    # Until the next build, a report computes live: the stored days are UTC's.
    assert services.compliance_rollups_refresh(tenant_id=tenant.pk) is None
    result = services.compliance_rollups_build(tenant_id=tenant.pk)

    assert result["full"] == 1
    assert [row[0].isoformat() for row in _rows(tenant)] == ["2026-05-19"]
    with tenant_scope(tenant):
        assert RollupState.objects.get().timezone == "Europe/Rome"


def test_cold_recycles_are_not_counted_as_rejections(tenant, active_sla, clock):
    active_sla(min_acceptance_rate="0.5")
    clock.set(NOW)
    at = NOW - timedelta(days=2)
    StageTransitionFactory(lead__tenant=tenant, action="accept", from_stage="sql",
                           to_stage="sql", at=at)  # fmt: skip
    StageTransitionFactory(lead__tenant=tenant, action="reject", from_stage="sql",
                           to_stage="recycled", reason_code="bad_fit", at=at)  # fmt: skip
    StageTransitionFactory(lead__tenant=tenant, action="reject", from_stage="sql",
                           to_stage="recycled", reason_code="went_cold", at=at)  # fmt: skip
    services.compliance_rollups_build(tenant_id=tenant.pk)
    marketing = _report(tenant)["marketing"]
    assert (marketing["accepted"], marketing["rejected"]) == (1, 1)
    assert marketing["acceptance_rate"] == 0.5
    assert marketing["targets"]["min_acceptance_rate"] == 0.5
    assert [reason["code"] for reason in marketing["rejection_reasons"]] == ["bad_fit"]


def test_the_beat_schedule_runs_the_rollups_for_every_tenant(tenant, other_tenant, clock):
    clock.set(NOW)
    entry = app.conf.beat_schedule["sla-compliance-rollups"]
    assert entry["task"] == tasks.compliance_rollups.name
    totals = tasks.compliance_rollups.delay().get()
    assert totals["tenants"] >= 2
    for each in (tenant, other_tenant):
        with tenant_scope(each):
            assert RollupState.objects.get().fresh_until == NOW - services.rollups.FRESH_MARGIN


@pytest.mark.parametrize(
    "model", ["obligationrollup", "obligationmonthrollup", "funnelrollup", "rollupstate"]
)
def test_operators_read_rollups_in_the_admin_but_never_write_them(admin_client, tenant, model):
    services.compliance_rollups_build(tenant_id=tenant.pk)
    assert admin_client.get(f"/admin/sla/{model}/").status_code == 200
    assert admin_client.get(f"/admin/sla/{model}/add/").status_code == 403


def test_the_rollup_sweep_adds_up_what_each_tenant_wrote(tenant, other_tenant):
    sweep = deployed(services.compliance_rollups_sweep)
    first = sweep(now=NOW)
    assert (first["tenants"], first["full"]) == (2, 2)  # never built: each rebuilt whole
    # Three days later each tenant writes the days from its last run's to today: 20 to 23 May.
    assert sweep(now=NOW + timedelta(days=3)) == {"tenants": 2, "days": 2 * 4, "full": 0}


@pytest.mark.parametrize("server_zone", ["UTC", "Asia/Tokyo", "America/Los_Angeles"])
def test_the_local_days_of_a_utc_date_do_not_depend_on_the_servers_zone(settings, server_zone):
    settings.TIME_ZONE = server_zone
    day = date(2027, 3, 10)
    assert local_days_of_utc_date(day, ZoneInfo("UTC")) == {day}
    assert local_days_of_utc_date(day, ZoneInfo("Europe/Rome")) == {day, date(2027, 3, 11)}
    assert local_days_of_utc_date(day, ZoneInfo("America/New_York")) == {date(2027, 3, 9), day}


def test_rollups_are_written_in_runs_of_at_most_a_window_of_days():
    first = date(2027, 1, 1)
    days = [first + timedelta(n) for n in range(WINDOW_DAYS + 1)]
    assert [len(run) for run in _runs(days)] == [WINDOW_DAYS, 1]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_report_while_a_build_holds_the_rollups_reads_them_as_they_stand(tenant, clock):
    clock.set(NOW)
    services.compliance_rollups_build(tenant_id=tenant.pk)
    with tenant_scope(tenant):
        RollupDirtyDay.objects.create(tenant=tenant, day=date(2026, 5, 1))
        state = RollupState.objects.get()

    with row_locked(RollupState, state.pk, lock_timeout="2s"):
        # Waiting for the lock would time out instead.
        seen = services.compliance_rollups_refresh(tenant_id=tenant.pk)

    assert seen.fresh_until == NOW - services.rollups.FRESH_MARGIN
    with tenant_scope(tenant):
        assert RollupDirtyDay.objects.exists()  # left for the build that holds the lock


@pytest.mark.parametrize("server_zone", ["UTC", "Asia/Tokyo"])
def test_a_change_marks_its_utc_day_once_out_of_the_fresh_margin(tenant, settings, server_zone):
    settings.TIME_ZONE = server_zone
    evening = datetime(2026, 5, 18, 20, tzinfo=UTC)  # already 19 May in Tokyo
    now = evening + services.rollups.FRESH_MARGIN
    with tenant_scope(tenant):
        assert rollup_days_touch(opened=[evening], now=now) == 0  # its day is still live
        assert rollup_days_touch(opened=[evening - timedelta(microseconds=1)], now=now) == 1
        assert list(RollupDirtyDay.objects.values_list("day", flat=True)) == [date(2026, 5, 18)]
