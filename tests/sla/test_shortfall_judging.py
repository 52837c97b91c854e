"""Which terms judge marketing's month and from when: the version in force (not a draft, not
one retired before), the running month's own moves, the minimum share itself, the tenant's
timezone; a finding a racing sweep recorded first; the pause that holds a write open."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from sla import judging
from sla.models import Shortfall, SlaStatus, SlaVersion
from smarketing.tenancy.models import Tenant
from tests.sla.factories import SlaVersionFactory
from tests.sla.marketing_months import (
    APRIL_START,
    MARCH_START,
    MID_MARCH,
    events,
    in_force,
    moves,
    sweep,
)

pytestmark = pytest.mark.django_db


def test_a_draft_of_new_terms_does_not_pace_the_running_month(utc_tenant):
    version = in_force(utc_tenant, monthly_mql_target=100)
    SlaVersionFactory(tenant=utc_tenant, monthly_mql_target=10)  # drafted after: not in force
    moves(utc_tenant, 30, at=MARCH_START + timedelta(days=2))  # 30 of 50 by mid-March

    assert sweep(now=MID_MARCH).at_risk == 1
    shortfall = Shortfall.all_tenants.get()
    assert (shortfall.version_id, shortfall.target) == (version.pk, 100)


def test_only_the_running_months_moves_count_toward_its_pace(utc_tenant):
    in_force(utc_tenant, monthly_mql_target=100)
    moves(utc_tenant, 60, at=datetime(2027, 2, 10, tzinfo=UTC))  # February's, not March's
    moves(utc_tenant, 30, at=MARCH_START + timedelta(days=2))

    assert sweep(now=MID_MARCH).at_risk == 1
    assert Shortfall.all_tenants.get().actual == 30


def test_pacing_starts_at_the_minimum_share_of_the_month_itself(utc_tenant):
    in_force(utc_tenant, pacing_tolerance=Decimal("0.1"), pacing_min_elapsed=Decimal("0.25"))
    moves(utc_tenant, 2, at=MARCH_START)
    a_quarter = MARCH_START + timedelta(days=7, hours=18)  # 186 of March's 744 hours

    assert sweep(now=a_quarter - timedelta(minutes=1)).at_risk == 0  # not yet a trend
    assert sweep(now=a_quarter).at_risk == 1  # 2 < 25 * 0.9
    assert Shortfall.all_tenants.get().elapsed_share == Decimal("0.25")


def test_an_sla_retired_after_the_month_ended_still_judges_it_and_paces_nothing(utc_tenant):
    version = in_force(utc_tenant, monthly_mql_target=10)
    moves(utc_tenant, 4, at=MID_MARCH)
    SlaVersion.all_tenants.filter(pk=version.pk).update(
        status=SlaStatus.RETIRED, retired_at=APRIL_START + timedelta(hours=12)
    )

    # Mid-April: no SLA in force, so nothing is paced; March ended under the retired one.
    counts = sweep(now=APRIL_START + timedelta(days=15))
    assert counts.as_dict() == {"at_risk": 0, "missed": 1, "closed": 1}
    shortfall = Shortfall.all_tenants.get()
    assert (shortfall.version_id, shortfall.period, shortfall.actual) == (version.pk, "2027-03", 4)


def test_a_tenant_without_a_timezone_has_its_months_in_utc(tenant):
    Tenant.objects.filter(pk=tenant.pk).update(timezone="")
    in_force(tenant, monthly_mql_target=10)
    moves(tenant, 4, at=MID_MARCH)

    assert sweep(now=APRIL_START - timedelta(seconds=1)).closed == 0
    assert sweep(now=APRIL_START + timedelta(seconds=1)).as_dict() == {
        "at_risk": 0, "missed": 1, "closed": 1}  # fmt: skip
    [event] = events("sla.marketing_missed")
    assert (event["period"], event["timezone"]) == ("2027-03", "UTC")


def test_a_finding_a_racing_sweep_recorded_first_leaves_the_others_to_this_one(
    utc_tenant, monkeypatch
):
    version = in_force(utc_tenant, monthly_mql_target=100, monthly_sql_target=100)
    moves(utc_tenant, 10, at=MARCH_START + timedelta(days=2))  # both volumes far behind
    judge = judging.pace_findings

    def judged_while_another_sweep_recorded_mqls(*args, **kwargs):
        findings = judge(*args, **kwargs)
        # Another sweep read the same month and committed its at-risk MQLs meanwhile.
        Shortfall.all_tenants.create(
            tenant=utc_tenant, version=version, period="2027-03", period_start=MARCH_START.date(),
            term="mqls", status="at_risk", target=100, actual=10, recorded_at=MID_MARCH,
        )  # fmt: skip
        return findings

    monkeypatch.setattr(judging, "pace_findings", judged_while_another_sweep_recorded_mqls)

    assert sweep(now=MID_MARCH).at_risk == 1  # the hand-offs; the MQLs were the other's
    assert sorted(Shortfall.all_tenants.values_list("term", flat=True)) == [
        "mqls", "sql_handoffs"]  # fmt: skip
    assert [event["term"] for event in events("sla.marketing_at_risk")] == ["sql_handoffs"]


@pytest.fixture
def holds(monkeypatch):
    """The pauses the sweep took, each with the shortfalls written by then."""
    taken = []
    monkeypatch.setattr(
        "sla.services.shortfalls.time.sleep",
        lambda seconds: taken.append((seconds, Shortfall.all_tenants.count())),
    )
    return taken


def test_a_pause_holds_each_write_transaction_of_the_sweep_open(utc_tenant, holds):
    # In force since February, which had no MQL: February closes, March is behind its pace.
    in_force(utc_tenant, since=MARCH_START - timedelta(days=28))

    counts = sweep(now=MID_MARCH, pause_seconds=0.25)

    assert counts.as_dict() == {"at_risk": 1, "missed": 1, "closed": 1}
    assert holds == [(0.25, 1), (0.25, 2)]  # after the close's write, then the pace's


def test_a_sweep_pauses_nowhere_unless_asked(utc_tenant, holds):
    in_force(utc_tenant, since=MARCH_START - timedelta(days=28))
    assert sweep(now=MID_MARCH).as_dict() == {"at_risk": 1, "missed": 1, "closed": 1}
    assert holds == []
