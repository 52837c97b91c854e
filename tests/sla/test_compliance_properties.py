"""Property: the compliance figures served from the daily rollups (plus a live tail) equal a
direct computation over the raw obligations and transitions, for random data, any boundary
between rolled-up and live days, late changes made through the services, and any grouping."""

import statistics
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from leads.models import Stage, StageTransition, TransitionAction
from sla import services
from sla.compliance.report import compliance_report, prorated, week_of
from sla.models import Obligation
from smarketing.periods import Period
from smarketing.tenancy.roles import Role
from smarketing.tenancy.scope import tenant_scope
from tests.leads.factories import LeadFactory
from tests.sla.factories import ROME_OFFICE

pytestmark = pytest.mark.django_db

ZONE = ZoneInfo("Europe/Rome")
# Two days after Rome moved its clocks forward: days of 23 and 24 hours are both in range.
NOW = datetime(2026, 3, 31, 15, 0, tzinfo=UTC)
DAYS = 21
LEADS = 40
REASONS = ["bad_fit", "no_budget", "went_cold", ""]

obligation_spec = st.fixed_dictionaries({
    "minutes_ago": st.integers(min_value=0, max_value=DAYS * 24 * 60),
    "kind": st.sampled_from(["accept", "first_touch"]),
    "owner": st.integers(min_value=0, max_value=3),  # 3: nobody
    "status": st.sampled_from(["pending", "met", "breached", "cancelled"]),
    "hours": st.floats(min_value=0, max_value=60, allow_nan=False).map(lambda h: round(h, 4)),
    "answered_late": st.booleans(),
})  # fmt: skip
transition_spec = st.fixed_dictionaries({
    "minutes_ago": st.integers(min_value=0, max_value=DAYS * 24 * 60),
    "what": st.sampled_from(["mql", "sql", "accept", "reject", "merge", "unflag"]),
    "reason": st.sampled_from(REASONS),
})  # fmt: skip


@pytest.fixture
def world(tenant, member, active_sla):
    version = active_sla(
        calendar={**ROME_OFFICE, "working_hours": {k: [["00:00", "24:00"]] for k in ROME_OFFICE[
            "working_hours"]}},
        monthly_mql_target=120, monthly_sql_target=40,
    )  # fmt: skip
    reps = [member(tenant, Role.SALES_REP) for _ in range(3)]
    leads = [LeadFactory(tenant=tenant, stage="sql") for _ in range(LEADS)]
    return {"tenant": tenant, "version": version, "reps": reps, "leads": leads}


def _arrange(world, obligations, transitions):
    tenant, version, reps, leads = world["tenant"], world["version"], world["reps"], world["leads"]
    rows = []
    for index, spec in enumerate(obligations):
        opened = NOW - timedelta(minutes=spec["minutes_ago"])
        status, hours = spec["status"], spec["hours"]
        answered = status == "met" or (status == "breached" and spec["answered_late"])
        rows.append(Obligation(
            tenant=tenant, lead=leads[index], version=version, kind=spec["kind"], status=status,
            owner=reps[spec["owner"]] if spec["owner"] < 3 else None, within_hours=4,
            opened_at=opened, due_at=opened + timedelta(hours=4),
            warn_at=opened + timedelta(hours=3), met_at=opened + timedelta(hours=hours)
            if answered else None, response_business_hours=hours if answered else None,
            breached_at=opened + timedelta(hours=4) if status == "breached" else None,
            cancelled_at=opened if status == "cancelled" else None,
        ))  # fmt: skip
    Obligation.all_tenants.bulk_create(rows)
    moves = {"mql": ("move", "lead", "mql"), "sql": ("move", "mql", "sql"),
             "accept": ("accept", "sql", "sql"), "reject": ("reject", "sql", "recycled"),
             "merge": ("merge", "mql", "mql"), "unflag": ("move", "mql", "lead")}  # fmt: skip
    StageTransition.all_tenants.bulk_create(
        StageTransition(
            tenant=tenant, lead=leads[0], action=moves[spec["what"]][0],
            from_stage=moves[spec["what"]][1], to_stage=moves[spec["what"]][2],
            reason_code=spec["reason"] if spec["what"] == "reject" else "",
            at=NOW - timedelta(minutes=spec["minutes_ago"]),
        )
        for spec in transitions
    )  # fmt: skip


# --- the direct computation: straight from the raw rows, with the standard library ------------


def _quantiles(hours: list[float]) -> tuple[float | None, float | None]:
    values = sorted(round(h * 100) for h in hours)
    if not values:
        return None, None
    if len(values) == 1:
        return values[0] / 100, values[0] / 100
    p90 = statistics.quantiles(values, n=10, method="inclusive")[8]
    return statistics.median(values) / 100, p90 / 100


def _direct_sales(rows) -> dict:
    met = sum(1 for r in rows if r["status"] == "met")
    breached = sum(1 for r in rows if r["status"] == "breached")
    hours = [r["response_business_hours"] for r in rows if r["response_business_hours"] is not None]
    median, p90 = _quantiles(hours)
    return {
        "opened": len(rows), "met_on_time": met, "breached": breached,
        "met_late": sum(1 for r in rows if r["status"] == "breached" and r["met_at"]),
        "cancelled": sum(1 for r in rows if r["status"] == "cancelled"),
        "pending": sum(1 for r in rows if r["status"] == "pending"),
        "on_time_rate": met / (met + breached) if met + breached else None,
        "responses": len(hours), "median_response_hours": median, "p90_response_hours": p90,
        "mean_response_hours": sum(hours) / len(hours) if hours else None,
    }  # fmt: skip


def _direct(period: Period, group_by: str | None):
    local = lambda instant: instant.astimezone(ZONE).date()  # noqa: E731
    rows = [
        row for row in Obligation.all_tenants.values(
            "opened_at", "kind", "owner_id", "status", "met_at", "response_business_hours")
        if period.first_day <= local(row["opened_at"]) <= period.last_day
    ]  # fmt: skip
    groups = defaultdict(list)
    for row in rows:
        if group_by == "rep":
            groups[row["owner_id"]].append(row)
        elif group_by == "week":
            groups[week_of(local(row["opened_at"])).isoformat()].append(row)
    transitions = [
        t
        for t in StageTransition.all_tenants.values("at", "action", "to_stage", "reason_code")
        if period.first_day <= local(t["at"]) <= period.last_day
    ]
    mqls = sum(1 for t in transitions if t["action"] == "move" and t["to_stage"] == Stage.MQL)
    sqls = sum(1 for t in transitions if t["action"] == "move" and t["to_stage"] == Stage.SQL)
    accepted = sum(1 for t in transitions if t["action"] == TransitionAction.ACCEPT)
    rejections = [
        t["reason_code"]
        for t in transitions
        if t["action"] == TransitionAction.REJECT and t["reason_code"] != "went_cold"
    ]
    return rows, groups, {
        "mqls": mqls, "sql_handoffs": sqls, "accepted": accepted, "rejected": len(rejections),
        "by_reason": {code: rejections.count(code) for code in set(rejections)},
    }  # fmt: skip


def _assert_same(served: dict, direct: dict) -> None:
    for name, value in direct.items():
        if value is None or isinstance(value, int):
            assert served[name] == value, name
        else:
            assert served[name] == pytest.approx(value, rel=1e-9, abs=1e-9), name


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    obligations=st.lists(obligation_spec, max_size=LEADS),
    transitions=st.lists(transition_spec, max_size=40),
    built_days_ago=st.integers(min_value=0, max_value=DAYS + 2),
    first_ago=st.integers(min_value=0, max_value=DAYS),
    length=st.integers(min_value=1, max_value=DAYS),
    group_by=st.sampled_from([None, "rep", "week"]),
    late_changes=st.integers(min_value=0, max_value=6),
)  # fmt: skip
def test_rolled_up_figures_equal_a_direct_computation(
    world, clock, obligations, transitions, built_days_ago, first_ago, length, group_by,
    late_changes,
):  # fmt: skip
    tenant = world["tenant"]
    with transaction.atomic(), tenant_scope(tenant):
        _arrange(world, obligations, transitions)
        clock.set(NOW - timedelta(days=built_days_ago))
        services.compliance_rollups_build(tenant_id=tenant.pk)
        # Late changes through the services, at NOW, to obligations of rolled-up days.
        clock.set(NOW)
        pending = list(Obligation.objects.filter(status="pending").order_by("id")[:late_changes])
        for index, obligation in enumerate(pending):
            if index % 3 == 0:
                services.obligations_cancel(lead_ids=[obligation.lead_id], now=NOW)
            elif index % 3 == 1:
                services.obligations_reassign(lead_id=obligation.lead_id, owner_id=None)
            else:
                services.obligations_respond(
                    kind=obligation.kind, answered_at={obligation.lead_id: NOW}
                )
        start = NOW.astimezone(ZONE).date() - timedelta(days=first_ago)
        period = Period(start, start + timedelta(days=length - 1))
        state = services.compliance_rollups_refresh(tenant_id=tenant.pk)
        report = compliance_report(period=period, group_by=group_by, state=state, now=NOW)

        rows, groups, funnel = _direct(period, group_by)
        _assert_same(report["sales"], _direct_sales(rows))
        for kind in ("accept", "first_touch"):
            by_kind = [row for row in rows if row["kind"] == kind]
            _assert_same(report["sales"]["by_kind"][kind], _direct_sales(by_kind))
        if group_by is not None:
            served = {group["key"]: group for group in report["sales"]["groups"]}
            for key, members in groups.items():
                _assert_same(served[key], _direct_sales(members))
            assert sum(g["opened"] for g in served.values()) == len(rows)
        breaches = {b["owner"]["id"] if b["owner"] else None: b["breaches"]
                    for b in report["breaches_by_rep"]}  # fmt: skip
        for owner in {row["owner_id"] for row in rows}:
            owned = [r for r in rows if r["owner_id"] == owner and r["status"] == "breached"]
            assert breaches[owner] == len(owned)
        marketing = report["marketing"]
        for name in ("mqls", "sql_handoffs", "accepted", "rejected"):
            assert marketing[name] == funnel[name], name
        assert {r["code"]: r["count"] for r in marketing["rejection_reasons"]} == funnel[
            "by_reason"
        ]
        assert marketing["targets"]["mqls"] == round(
            prorated(120, period.first_day, period.last_day), 2
        )
        transaction.set_rollback(True)


def test_a_monthly_target_is_prorated_day_by_day_across_months():
    # 3 days of February (28 days) and 2 of March (31 days).
    assert prorated(280, date(2026, 2, 26), date(2026, 3, 2)) == pytest.approx(
        3 * 10 + 2 * 280 / 31
    )
