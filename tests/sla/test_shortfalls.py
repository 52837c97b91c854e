"""Marketing's commitments enforced: pace in the running month, close after it ends, each
shortfall recorded and announced once, under the version that answers for the month."""

import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from leads.models import Stage, TransitionAction
from sla.models import ClosedPeriod, Shortfall, SlaStatus
from smarketing.tenancy.models import Tenant
from smarketing.tenancy.roles import Role
from tests.factories import TenantFactory
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


def test_a_volume_behind_its_pace_by_more_than_the_tolerance_is_at_risk_once(utc_tenant):
    version = in_force(utc_tenant)
    moves(utc_tenant, 30, at=MARCH_START + timedelta(days=2))  # 30 of 50 expected by now

    assert sweep(now=MID_MARCH).at_risk == 1
    assert sweep(now=MID_MARCH + timedelta(hours=1)).at_risk == 0  # a re-run adds nothing

    shortfall = Shortfall.all_tenants.get()
    assert (shortfall.version_id, shortfall.period, shortfall.term, shortfall.status) == (
        version.pk, "2027-03", "mqls", "at_risk")  # fmt: skip
    assert (shortfall.target, shortfall.actual, shortfall.expected) == (100, 30, 50)
    [event] = events("sla.marketing_at_risk")
    said = {key: event[key] for key in ("version", "period", "term", "target", "actual")}
    assert said == {"version": version.pk, "period": "2027-03", "term": "mqls", "target": 100,
                    "actual": 30}  # fmt: skip
    assert event["expected"] == 50
    # The event names the row it announces, and the month in the tenant's own timezone.
    assert (event["id"], event["timezone"]) == (shortfall.pk, "UTC")


def test_a_volume_within_the_tolerance_or_too_early_in_the_month_is_not_at_risk(utc_tenant):
    in_force(utc_tenant)  # tolerance 20%, judged from 30% of the month
    # Not one MQL after a quarter of the month: too early to call it a trend.
    assert sweep(now=MARCH_START + timedelta(days=7)).at_risk == 0
    moves(utc_tenant, 41, at=MARCH_START + timedelta(days=8))  # 41 > 50 * 0.8
    assert sweep(now=MID_MARCH).at_risk == 0
    assert not Shortfall.all_tenants.exists()


def test_the_tolerance_and_the_minimum_share_are_the_versions_terms(utc_tenant):
    in_force(utc_tenant, pacing_tolerance=Decimal("0.1"), pacing_min_elapsed=Decimal("0.2"))
    moves(utc_tenant, 2, at=MARCH_START)
    # A quarter of the month: past this version's 20%, and 2 < 25 * 0.9.
    assert sweep(now=MARCH_START + timedelta(days=7, hours=18)).at_risk == 1


def test_the_first_sweep_after_the_month_ends_records_each_term_missed_once(utc_tenant):
    in_force(utc_tenant, monthly_mql_target=10, monthly_sql_target=5,
             min_acceptance_rate=Decimal("0.6"))  # fmt: skip
    moves(utc_tenant, 10, at=MID_MARCH)  # MQL target met
    moves(utc_tenant, 4, at=MID_MARCH, to=Stage.SQL)  # 4 of 5 hand-offs
    moves(utc_tenant, 5, at=MID_MARCH, to=Stage.SQL, action=TransitionAction.ACCEPT)
    moves(utc_tenant, 5, at=MID_MARCH, to=Stage.RECYCLED, action=TransitionAction.REJECT,
          reason_code="bad_fit")  # fmt: skip

    assert sweep(now=APRIL_START - timedelta(seconds=1)).missed == 0  # March still runs
    counts = sweep(now=APRIL_START + timedelta(minutes=1))
    assert (counts.missed, counts.closed) == (2, 1)
    assert sweep(now=APRIL_START + timedelta(minutes=2)).as_dict() == {
        "at_risk": 0, "missed": 0, "closed": 0}  # fmt: skip

    missed = {s.term: s for s in Shortfall.all_tenants.filter(status="missed")}
    assert set(missed) == {"sql_handoffs", "acceptance_rate"}
    assert (missed["sql_handoffs"].target, missed["sql_handoffs"].actual) == (5, 4)
    rate = missed["acceptance_rate"]
    assert (rate.target, rate.actual, rate.decided) == (Decimal("0.6"), Decimal("0.5"), 10)
    assert sorted(e["term"] for e in events("sla.marketing_missed")) == sorted(missed)
    # What the month was judged on is kept with it, every figure the terms read.
    assert ClosedPeriod.all_tenants.get().figures == {
        "mqls": 10, "sql_handoffs": 4, "accepted": 5, "rejected": 5, "went_cold": 0,
        "acceptance_rate": 0.5}  # fmt: skip


def test_one_rejection_out_of_one_is_no_missed_acceptance_rate(utc_tenant):
    in_force(utc_tenant, monthly_mql_target=0, min_acceptance_rate=Decimal("0.6"))
    moves(utc_tenant, 1, at=MID_MARCH, to=Stage.RECYCLED, action=TransitionAction.REJECT,
          reason_code="bad_fit")  # fmt: skip
    assert sweep(now=APRIL_START + timedelta(minutes=1)).missed == 0


def test_cold_recycles_are_not_rejections_for_the_acceptance_rate(utc_tenant):
    in_force(utc_tenant, monthly_mql_target=0, min_acceptance_rate=Decimal("0.5"),
             acceptance_min_decided=2)  # fmt: skip
    moves(utc_tenant, 2, at=MID_MARCH, to=Stage.SQL, action=TransitionAction.ACCEPT)
    moves(utc_tenant, 5, at=MID_MARCH, to=Stage.RECYCLED, action=TransitionAction.REJECT,
          reason_code="went_cold")  # fmt: skip
    assert sweep(now=APRIL_START + timedelta(minutes=1)).missed == 0


def test_the_version_in_force_at_the_months_end_judges_the_whole_month(utc_tenant):
    first = in_force(utc_tenant, monthly_mql_target=10)
    moves(utc_tenant, 12, at=MARCH_START + timedelta(days=3))
    # On the 20th a new version raises the target: it answers for all of March.
    SlaVersionFactory._meta.model.all_tenants.filter(pk=first.pk).update(
        status=SlaStatus.RETIRED, retired_at=datetime(2027, 3, 20, tzinfo=UTC)
    )
    second = in_force(utc_tenant, since=datetime(2027, 3, 20, tzinfo=UTC), monthly_mql_target=20)

    assert sweep(now=APRIL_START + timedelta(hours=1)).missed == 1
    shortfall = Shortfall.all_tenants.get(status="missed")
    assert (shortfall.version_id, shortfall.target, shortfall.actual) == (second.pk, 20, 12)
    assert ClosedPeriod.all_tenants.get().version_id == second.pk


def test_a_version_activated_after_the_month_ended_does_not_judge_it(utc_tenant):
    in_force(utc_tenant, since=APRIL_START + timedelta(minutes=5), monthly_mql_target=10)
    assert sweep(now=APRIL_START + timedelta(hours=1)).as_dict() == {
        "at_risk": 0, "missed": 0, "closed": 0}  # fmt: skip


@pytest.mark.parametrize(
    ("zone", "month_ends_utc", "next_day_utc"),
    [
        # Auckland (UTC+13 in summer): March ends at 11:00 UTC on 31 March.
        ("Pacific/Auckland", datetime(2027, 3, 31, 11, tzinfo=UTC), datetime(2027, 3, 31, 12,
                                                                            tzinfo=UTC)),
        # Los Angeles (UTC-7 in summer): March ends at 07:00 UTC on 1 April.
        ("America/Los_Angeles", datetime(2027, 4, 1, 7, tzinfo=UTC), datetime(2027, 4, 1, 8,
                                                                            tzinfo=UTC)),
    ],
)  # fmt: skip
def test_a_month_closes_at_midnight_of_the_tenants_own_timezone(
    tenant, zone, month_ends_utc, next_day_utc
):
    Tenant.objects.filter(pk=tenant.pk).update(timezone=zone)
    in_force(tenant, monthly_mql_target=3)
    moves(tenant, 2, at=month_ends_utc - timedelta(hours=1))  # the last hour of March there
    moves(tenant, 5, at=next_day_utc)  # already April there: not March's

    assert sweep(now=month_ends_utc - timedelta(seconds=1)).closed == 0
    counts = sweep(now=month_ends_utc + timedelta(seconds=1))
    assert (counts.closed, counts.missed) == (1, 1)
    shortfall = Shortfall.all_tenants.get(status="missed")
    assert (shortfall.period, shortfall.actual, shortfall.target) == ("2027-03", 2, 3)


def test_the_sla_sweep_command_closes_and_prints_the_counts(utc_tenant, clock):
    in_force(utc_tenant, monthly_mql_target=10)
    clock.set(APRIL_START + timedelta(minutes=1))
    out = StringIO()
    call_command("sla_sweep", "--tenant", utc_tenant.slug, stdout=out)
    counts = json.loads(out.getvalue())
    assert (counts["missed"], counts["closed"]) == (1, 1)


def test_shortfalls_notify_marketers_and_managers_but_not_reps(utc_tenant, member):
    from smarketing.events.relay import outbox_relay
    from smarketing.notifications.models import Notification
    from smarketing.tenancy.scope import cross_tenant_scope

    marketer, manager = member(utc_tenant, Role.MARKETER), member(utc_tenant, Role.MANAGER)
    rep = member(utc_tenant, Role.SALES_REP)
    in_force(utc_tenant, monthly_mql_target=10)
    sweep(now=APRIL_START + timedelta(minutes=1))
    with cross_tenant_scope():
        outbox_relay()
    told = Notification.all_tenants.filter(kind="sla.marketing_missed")
    assert set(told.values_list("user_id", flat=True)) == {marketer.pk, manager.pk}
    assert rep.pk not in set(Notification.all_tenants.values_list("user_id", flat=True))
    assert told.first().title == "MQLs missed in 2027-03: 0 of 10"
    assert told.first().url == f"/t/{utc_tenant.slug}/sla/?from=2027-03-01&to=2027-03-31"


def test_a_missed_commitment_reaches_a_subscribed_endpoint_as_a_signed_webhook(utc_tenant):
    from django.utils import timezone

    from smarketing.events.relay import outbox_relay
    from smarketing.tenancy.scope import cross_tenant_scope
    from smarketing.webhooks.services import deliveries_send_due
    from tests.webhooks.factories import WebhookEndpointFactory
    from tests.webhooks.receiver import Receiver, verify_signature

    receiver = Receiver().start()
    try:
        endpoint = WebhookEndpointFactory(tenant=utc_tenant, url=receiver.url,
                                          events=["sla.marketing_missed"])  # fmt: skip
        version = in_force(utc_tenant, monthly_mql_target=10)
        moves(utc_tenant, 4, at=MID_MARCH)
        sweep(now=APRIL_START + timedelta(minutes=1))
        with cross_tenant_scope():
            outbox_relay()
            deliveries_send_due(budget_seconds=10)
        (request,) = receiver.received
    finally:
        receiver.stop()
    assert request.payload["type"] == "sla.marketing_missed"
    data = request.payload["data"]
    assert (data["version"], data["period"], data["term"], data["target"], data["actual"]) == (
        version.pk, "2027-03", "mqls", 10, 4)  # fmt: skip
    assert verify_signature(request.headers["Smarketing-Signature"], request.body,
                            endpoint.secret, now=int(timezone.now().timestamp()))  # fmt: skip


def test_both_sides_breaches_stand_side_by_side_in_the_compliance_api_and_page(
    utc_tenant, member, api_client_for, client
):
    from tests.sla.factories import ObligationFactory

    version = in_force(utc_tenant, monthly_mql_target=10)
    moves(utc_tenant, 3, at=MID_MARCH)
    sweep(now=MID_MARCH)  # at risk: 3 of 5 expected
    sweep(now=APRIL_START + timedelta(minutes=1))  # missed: 3 of 10
    breached = ObligationFactory(tenant=utc_tenant, version=version, status="breached",
                                 breached_at=MID_MARCH)  # fmt: skip
    from sla.models import Breach

    Breach.all_tenants.create(tenant=utc_tenant, obligation=breached, lead=breached.lead,
                              kind="accept", due_at=MID_MARCH, breached_at=MID_MARCH)  # fmt: skip

    api = api_client_for(utc_tenant, Role.MANAGER)
    report = api.get("/api/v1/sla/compliance/?from=2027-03-01&to=2027-03-31").json()
    both = report["breaches_side_by_side"]
    assert both["sales"] == {"breaches": 1, "accept": 1, "first_touch": 0}
    assert (both["marketing"]["missed"], both["marketing"]["at_risk"]) == (1, 1)
    assert {row["status"] for row in both["marketing"]["shortfalls"]} == {"missed", "at_risk"}
    april = api.get("/api/v1/sla/compliance/?from=2027-04-02&to=2027-04-20").json()
    assert april["breaches_side_by_side"]["marketing"]["shortfalls"] == []

    client.force_login(member(utc_tenant, Role.MARKETER))
    page = client.get(f"/t/{utc_tenant.slug}/sla/?from=2027-03-01&to=2027-03-31")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Both sides\u2019 breaches" in html
    assert "MQLs per month" in html and "Missed" in html and "At risk" in html


def test_a_sweep_adds_every_tenants_findings_and_then_costs_no_query_per_tenant(
    utc_tenant, other_tenant
):
    Tenant.objects.filter(pk=other_tenant.pk).update(timezone="UTC")
    for each in (utc_tenant, other_tenant):
        # In force since February, which had no MQL; March is behind its pace.
        in_force(each, since=MARCH_START - timedelta(days=28))
    counts = sweep(now=MID_MARCH)
    assert counts.as_dict() == {"at_risk": 2, "missed": 2, "closed": 2}
    # A tenant with something to judge after two with nothing left.
    newcomer = TenantFactory(timezone="UTC")
    in_force(newcomer, since=MARCH_START - timedelta(days=28))
    assert sweep(now=MID_MARCH).as_dict() == {"at_risk": 1, "missed": 1, "closed": 1}

    # February closed, March at risk: a later minute finds nothing left to judge.
    later = MID_MARCH + timedelta(hours=1)
    with CaptureQueriesContext(connection) as one_tenant:
        assert sweep(now=later, tenant_id=utc_tenant.pk).as_dict() == {
            "at_risk": 0, "missed": 0, "closed": 0}  # fmt: skip
    with CaptureQueriesContext(connection) as two_tenants:
        assert sweep(now=later).as_dict() == {"at_risk": 0, "missed": 0, "closed": 0}
    assert len(two_tenants) == len(one_tenant)


def test_a_month_with_no_volume_target_still_closes_on_its_acceptance_rate(utc_tenant):
    in_force(utc_tenant, monthly_mql_target=0, min_acceptance_rate=Decimal("0.6"))
    moves(utc_tenant, 1, at=MID_MARCH, to=Stage.SQL, action=TransitionAction.ACCEPT)
    moves(utc_tenant, 9, at=MID_MARCH, to=Stage.RECYCLED, action=TransitionAction.REJECT,
          reason_code="bad_fit")  # fmt: skip
    counts = sweep(now=APRIL_START + timedelta(minutes=1))
    assert (counts.missed, counts.closed) == (1, 1)
    assert Shortfall.all_tenants.get().term == "acceptance_rate"
