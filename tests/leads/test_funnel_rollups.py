"""Property: the funnel's daily rollup changes no figure. A flow read through the rollup
(closed days from `FunnelDayRollup`, the rest raw) equals the same report read from the raw
history alone, for random histories in a timezone off UTC, any refresh instant (so any
boundary between rolled and live days), any range; and the duration buckets agree between
Python and PostgreSQL."""

import random
from datetime import UTC, date, datetime, timedelta

import pytest
from django.db import connection, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from leads.funnel import durations
from leads.funnel.models import FunnelDayRollup, FunnelRollupState
from leads.funnel.report import funnel_report
from leads.funnel.rollups import funnel_rollups_refresh
from leads.models import Lead
from smarketing.periods import Period
from smarketing.tenancy.scope import tenant_scope
from tests.leads.factories import LeadFactory, StageTransitionFactory

pytestmark = pytest.mark.django_db

ZONE_NAME = "America/New_York"  # days start at 05:00 or 04:00 UTC, across a DST change
START = datetime(2027, 2, 20, tzinfo=UTC)
DAYS = 40
LEADS = 5
MOVES = [
    ("move", "mql", ""), ("move", "sql", ""), ("accept", "sql", ""),
    ("reject", "recycled", "bad_fit"), ("reject", "recycled", "went_cold"),
    ("move", "opportunity", ""), ("move", "won", ""), ("move", "lost", ""),
    ("assign", "sql", ""), ("merge", "mql", ""),
]  # fmt: skip

transition_spec = st.tuples(
    st.integers(min_value=0, max_value=LEADS - 1),
    st.sampled_from(MOVES),
    st.integers(min_value=0, max_value=DAYS * 24 * 60 - 1),  # minute of the history
    st.integers(min_value=0, max_value=400 * 60),  # minutes in the step before, up to 400 h
)


def _arrange(tenant, transitions, created_minutes):
    leads = []
    for minute in created_minutes:
        lead = LeadFactory(tenant=tenant)
        Lead.all_tenants.filter(pk=lead.pk).update(created_at=START + timedelta(minutes=minute))
        leads.append(lead)
    for index, (action, to_stage, reason), minute, spent in transitions:
        at = START + timedelta(minutes=minute, seconds=index * 7)
        StageTransitionFactory(lead=leads[index], action=action, to_stage=to_stage,
                               reason_code=reason, at=at,
                               step_started_at=at - timedelta(minutes=spent, seconds=spent % 59),
                               )  # fmt: skip


@settings(max_examples=30, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])  # fmt: skip
@given(
    transitions=st.lists(transition_spec, min_size=20, max_size=60),
    created=st.lists(st.integers(min_value=0, max_value=DAYS * 24 * 60), min_size=LEADS,
                     max_size=LEADS),
    refreshed=st.integers(min_value=0, max_value=(DAYS + 3) * 24),  # hour of the refresh
    first=st.integers(min_value=0, max_value=DAYS),
    length=st.integers(min_value=1, max_value=DAYS),
)  # fmt: skip
def test_a_flow_read_through_the_daily_rollup_equals_the_raw_read(
    tenant, transitions, created, refreshed, first, length
):
    tenant.timezone = ZONE_NAME
    tenant.save(update_fields=["timezone"])
    with transaction.atomic(), tenant_scope(tenant):
        _arrange(tenant, transitions, created)
        first_day = date(2027, 2, 19) + timedelta(days=first)
        period = Period(first_day, first_day + timedelta(days=length - 1), ZONE_NAME)
        raw = funnel_report(period=period, mode="flow", group_by="campaign")

        funnel_rollups_refresh(tenant_id=tenant.pk, now=START + timedelta(hours=refreshed))
        rolled_through = FunnelRollupState.objects.get().rolled_through
        assert rolled_through is not None
        assert funnel_report(period=period, mode="flow", group_by="campaign") == raw
        # Running again changes nothing, and neither does a refresh that closes more days.
        funnel_rollups_refresh(tenant_id=tenant.pk, now=START + timedelta(hours=refreshed))
        assert funnel_report(period=period, mode="flow") == {**raw, "groups": []}
        funnel_rollups_refresh(tenant_id=tenant.pk, now=START + timedelta(days=DAYS + 5))
        assert funnel_report(period=period, mode="flow") == {**raw, "groups": []}
        transaction.set_rollback(True)


def test_every_day_is_read_once_whichever_day_the_rollup_ends_on(tenant):
    """A move every five hours for twelve days: each refresh instant puts the boundary
    between rolled and live days elsewhere, and every boundary gives the raw figures."""
    tenant.timezone = ZONE_NAME
    tenant.save(update_fields=["timezone"])
    _arrange(tenant, [(n % LEADS, MOVES[n % 7], n * 300, n * 37) for n in range(58)],
             [0] * LEADS)  # fmt: skip
    period = Period(date(2027, 2, 20), date(2027, 3, 3), ZONE_NAME)
    with tenant_scope(tenant):
        raw = funnel_report(period=period, mode="flow")
        assert raw["stages"][1]["count"] > 0
        for hours in range(20, 14 * 24, 23):
            funnel_rollups_refresh(tenant_id=tenant.pk, now=START + timedelta(hours=hours))
            assert funnel_report(period=period, mode="flow") == raw, hours


def test_the_rollup_holds_closed_days_only_and_the_report_reads_them(tenant):
    tenant.timezone = "UTC"
    tenant.save(update_fields=["timezone"])
    lead = LeadFactory(tenant=tenant)
    day = datetime(2027, 3, 1, 12, tzinfo=UTC)
    for hours in (1, 2, 3):
        StageTransitionFactory(lead=lead, action="move", to_stage="mql",
                               at=day + timedelta(hours=hours), step_started_at=day)  # fmt: skip
    with tenant_scope(tenant):
        # Ten minutes after midnight the day is not closed yet: the margin for open writes.
        funnel_rollups_refresh(tenant_id=tenant.pk, now=datetime(2027, 3, 2, 0, 5, tzinfo=UTC))
        assert not FunnelDayRollup.objects.exists()
        funnel_rollups_refresh(tenant_id=tenant.pk, now=datetime(2027, 3, 2, 0, 30, tzinfo=UTC))
        row = FunnelDayRollup.objects.get()
        assert (row.day, row.counts) == (date(2027, 3, 1), {"mql": 3})
        # The report reads the stored row: change it, and the report follows.
        FunnelDayRollup.objects.filter(pk=row.pk).update(counts={"mql": 7})
        report = funnel_report(period=Period(date(2027, 3, 1), date(2027, 3, 1)), mode="flow")
    assert report["stages"][1]["count"] == 7


def test_a_new_timezone_sets_the_rollup_aside_until_it_is_rebuilt(tenant):
    tenant.timezone = "UTC"
    tenant.save(update_fields=["timezone"])
    lead = LeadFactory(tenant=tenant)
    StageTransitionFactory(lead=lead, action="move", to_stage="mql",
                           at=datetime(2027, 3, 1, 2, tzinfo=UTC))  # fmt: skip
    later = datetime(2027, 3, 5, tzinfo=UTC)
    with tenant_scope(tenant):
        funnel_rollups_refresh(tenant_id=tenant.pk, now=later)
        assert list(FunnelDayRollup.objects.values_list("day", flat=True)) == [date(2027, 3, 1)]
        tenant.timezone = ZONE_NAME
        tenant.save(update_fields=["timezone"])
        FunnelDayRollup.objects.update(counts={"mql": 7})  # a stale row no read may take
        new_york = Period(date(2027, 2, 28), date(2027, 2, 28), ZONE_NAME)
        assert funnel_report(period=new_york, mode="flow")["stages"][1]["count"] == 1
        funnel_rollups_refresh(tenant_id=tenant.pk, now=later)
        assert list(FunnelDayRollup.objects.values_list("day", flat=True)) == [date(2027, 2, 28)]
        assert funnel_report(period=new_york, mode="flow")["stages"][1]["count"] == 1


@pytest.mark.parametrize(
    ("minutes", "bucket"),
    [(0, 0), (31, 31), (63, 63), (64, 64), (65, 64), (66, 66), (600, 592), (1023, 1008),
     (1024, 1024), (10**6, 999424)],
)  # fmt: skip
def test_a_duration_counts_in_its_bucket_of_32_per_doubling(minutes, bucket):
    assert durations.bucket_of(minutes) == bucket
    middle = durations.bucket_middle_hours(bucket) * 60
    assert abs(middle - minutes) <= max(0.5, minutes / 64) + 1e-9


def test_postgresql_buckets_a_duration_as_python_does():
    if connection.vendor != "postgresql":
        pytest.skip("the SQL bucket is PostgreSQL's")
    draw = random.Random(15)
    # Durations of every scale, seconds to years, microseconds included, a few negative.
    seconds = [draw.uniform(-3600, 60) for _ in range(50)]
    seconds += [10 ** draw.uniform(1, 9) for _ in range(2000)]
    started = datetime(2027, 1, 1, tzinfo=UTC)
    ats = [started + timedelta(seconds=s) for s in seconds]
    sql = durations.bucket_sql("at", "started")
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {sql} FROM unnest(%s::timestamptz[]) WITH ORDINALITY AS t(at, n), "
            "(SELECT %s::timestamptz AS started) AS s ORDER BY n",
            [ats, started],
        )
        from_sql = [row[0] for row in cursor.fetchall()]
    assert from_sql == [durations.bucket_of(durations.minutes_of(at - started)) for at in ats]
    assert len(set(from_sql)) > 500  # the draw spans many buckets


def test_the_median_interpolates_between_bucket_middles_as_percentile_cont():
    # 0 and 60 minutes (exact buckets, at their middles 0.5 and 60.5): the median halfway,
    # 30.5 minutes; p90 at 0.9 of the way, 54.5 minutes; both in hours to 0.01.
    assert durations.median_and_p90({0: 1, 60: 1}) == (0.51, 0.91)
    assert durations.median_and_p90({}) == (None, None)


def test_the_beat_schedule_rolls_up_every_tenant(tenant, other_tenant):
    from leads import tasks
    from leads.funnel.models import FunnelRollupState as State
    from smarketing.celery import app

    entry = app.conf.beat_schedule["leads-funnel-rollups"]
    assert entry["task"] == tasks.funnel_rollups.name
    assert tasks.funnel_rollups.delay().get()["tenants"] >= 2
    with tenant_scope(other_tenant):
        assert State.objects.get().rolled_through is not None
    with tenant_scope(tenant):
        assert State.objects.get().rolled_through is not None
