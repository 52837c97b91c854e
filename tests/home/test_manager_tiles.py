"""The manager's home (breaches, compliance) and the admin's extras (health, webhooks)."""

from datetime import UTC, datetime, timedelta

import pytest

from sla.home import breaches_tile, compliance_tile
from smarketing.home.core_tiles import health_tile
from smarketing.home.tiles import Figure, Row, TileData
from smarketing.tenancy.roles import Role
from smarketing.tenancy.scope import tenant_scope
from smarketing.webhooks.home import failing_endpoints_tile
from tests.home.conftest import visit_of
from tests.sla.factories import BreachFactory, ObligationFactory
from tests.webhooks.factories import WebhookDeliveryFactory, WebhookEndpointFactory

pytestmark = pytest.mark.django_db

# Rome is UTC+1 in winter: the local day of 15 February 2027 starts at 23:00 UTC the day before.
NOW = datetime(2027, 2, 15, 12, tzinfo=UTC)


def figures(tile) -> dict:
    return {figure.label: figure.value for figure in tile.figures}


def test_breaches_today_and_this_month_in_the_tenants_calendar(tenant, people, active_sla):
    active_sla()
    BreachFactory(tenant=tenant, breached_at=NOW - timedelta(hours=12, minutes=30))  # 23:30 local
    BreachFactory(tenant=tenant, breached_at=NOW - timedelta(hours=13, minutes=30))  # yesterday
    BreachFactory(tenant=tenant, breached_at=datetime(2027, 1, 31, 23, 30, tzinfo=UTC))  # Feb 1st
    BreachFactory(tenant=tenant, breached_at=datetime(2027, 1, 31, 22, 30, tzinfo=UTC))  # Jan 31st
    BreachFactory(tenant=tenant, breached_at=NOW + timedelta(minutes=1),
                  obligation=ObligationFactory(tenant=tenant, kind="first_touch",
                                               status="breached", breached_at=NOW))  # fmt: skip
    with tenant_scope(tenant):
        tile = breaches_tile(visit_of(tenant, people[Role.MANAGER], Role.MANAGER, now=NOW))
    assert figures(tile) == {"Today": 2, "This month (2027-02)": 4}
    assert tile.figures[1].detail == "3 to accept · 1 first touch"
    assert len(tile.rows) == 4
    assert tile.url == f"/t/{tenant.slug}/sla/?from=2027-02-01&to=2027-02-15"


def test_without_an_sla_the_managers_tiles_say_how_to_activate_one(tenant, people):
    manager = people[Role.MANAGER]
    with tenant_scope(tenant):
        breaches = breaches_tile(visit_of(tenant, manager, Role.MANAGER, now=NOW))
        compliance = compliance_tile(visit_of(tenant, manager, Role.MANAGER, now=NOW))
    for tile in (breaches, compliance):
        assert "No SLA is in force" in tile.note
        assert tile.note_url == f"/t/{tenant.slug}/sla/versions/new/"


def test_compliance_shows_the_months_on_time_rate_of_the_report(tenant, people, active_sla):
    active_sla(monthly_mql_target=20)
    now = datetime.now(UTC)
    ObligationFactory(tenant=tenant, opened_at=now, status="met", met_at=now)
    ObligationFactory(tenant=tenant, opened_at=now, status="met", met_at=now)
    ObligationFactory(tenant=tenant, opened_at=now, status="met", met_at=now)
    ObligationFactory(tenant=tenant, opened_at=now, status="breached", breached_at=now)
    with tenant_scope(tenant):
        tile = compliance_tile(visit_of(tenant, people[Role.MANAGER], Role.MANAGER, now=now))
    on_time = tile.figures[0]
    assert (on_time.label, on_time.value, on_time.tone) == ("Sales on time", "75%", "warn")
    assert on_time.detail == "3 met · 1 breached · 0 pending"


def test_failing_endpoints_are_those_whose_deliveries_failed_lately(tenant, people):
    failing = WebhookEndpointFactory(tenant=tenant, url="https://hooks.example/failing")
    retrying = WebhookEndpointFactory(tenant=tenant, url="https://hooks.example/retrying")
    healthy = WebhookEndpointFactory(tenant=tenant, url="https://hooks.example/healthy")
    old = WebhookEndpointFactory(tenant=tenant, url="https://hooks.example/failed-long-ago")
    WebhookDeliveryFactory(tenant=tenant, endpoint=failing, status="failed", failures=5,
                           last_attempt_at=NOW - timedelta(hours=1))  # fmt: skip
    WebhookDeliveryFactory(tenant=tenant, endpoint=failing, status="failed", failures=5,
                           last_attempt_at=NOW - timedelta(hours=2))  # fmt: skip
    WebhookDeliveryFactory(tenant=tenant, endpoint=retrying, status="pending", failures=1,
                           last_attempt_at=NOW - timedelta(minutes=5))  # fmt: skip
    WebhookDeliveryFactory(tenant=tenant, endpoint=healthy, status="succeeded",
                           last_attempt_at=NOW - timedelta(minutes=5))  # fmt: skip
    WebhookDeliveryFactory(tenant=tenant, endpoint=old, status="failed", failures=5,
                           last_attempt_at=NOW - timedelta(days=2))  # fmt: skip
    with tenant_scope(tenant):
        tile = failing_endpoints_tile(visit_of(tenant, people[Role.ADMIN], Role.ADMIN, now=NOW))
    assert figures(tile) == {"Failing in the last 24 h": 2}
    assert [(row.text, row.detail) for row in tile.rows] == [
        ("https://hooks.example/retrying", "1 failed delivery"),
        ("https://hooks.example/failing", "2 failed deliveries"),
    ]
    assert tile.url == f"/t/{tenant.slug}/settings/webhooks/?failing=1"


def test_the_webhooks_page_filters_the_failing_endpoints(tenant, people, client_for):
    failing = WebhookEndpointFactory(tenant=tenant, url="https://hooks.example/failing")
    WebhookEndpointFactory(tenant=tenant, url="https://hooks.example/healthy")
    WebhookDeliveryFactory(tenant=tenant, endpoint=failing, status="failed", failures=5,
                           last_attempt_at=datetime.now(UTC))  # fmt: skip
    client = client_for(people[Role.ADMIN])
    html = client.get(f"/t/{tenant.slug}/settings/webhooks/?failing=1").content.decode()
    assert "hooks.example/failing" in html and "hooks.example/healthy" not in html
    html = client.get(f"/t/{tenant.slug}/settings/webhooks/").content.decode()
    assert "hooks.example/failing" in html and "hooks.example/healthy" in html


def test_health_tile_says_which_part_is_down(tenant, people, monkeypatch):
    from smarketing.home import core_tiles

    monkeypatch.setattr(core_tiles, "health_checks", lambda: {
        "database": {"ok": True}, "broker": {"ok": True}, "workers": {"ok": False, "count": 0},
    })  # fmt: skip
    tile = health_tile(visit_of(tenant, people[Role.ADMIN], Role.ADMIN))
    assert figures(tile) == {"Database": "up", "Broker": "up", "Workers": "down"}
    assert "Background work is stalled" in tile.note


@pytest.mark.parametrize(
    ("zone", "month_starts"),
    [
        ("Pacific/Auckland", datetime(2027, 1, 31, 11, tzinfo=UTC)),  # NZDT, UTC+13
        ("America/Los_Angeles", datetime(2027, 2, 1, 8, tzinfo=UTC)),  # PST, UTC-8
    ],
)
def test_this_months_breaches_start_at_local_midnight_far_ahead_and_far_behind(
    tenant, people, active_sla, zone, month_starts
):
    active_sla()
    tenant.timezone = zone
    BreachFactory(tenant=tenant, breached_at=month_starts + timedelta(minutes=30))
    BreachFactory(tenant=tenant, breached_at=month_starts - timedelta(minutes=30))
    with tenant_scope(tenant):
        tile = breaches_tile(visit_of(tenant, people[Role.MANAGER], Role.MANAGER, now=NOW))
    assert figures(tile)["This month (2027-02)"] == 1


def test_goals_tile_counts_this_months_goals_by_status_worst_first(tenant, people):
    from sla.goals.home import goals_tile
    from tests.leads.factories import LeadFactory, StageTransitionFactory
    from tests.sla.goals.factories import GoalFactory

    GoalFactory(tenant=tenant, period="2027-02", metric="mqls", target=2)
    GoalFactory(tenant=tenant, period="2027-02", metric="sql_handoffs", target=1000)
    for _ in range(2):
        StageTransitionFactory(lead=LeadFactory(tenant=tenant), to_stage="mql",
                               at=NOW - timedelta(days=3))  # fmt: skip
    with tenant_scope(tenant):
        tile = goals_tile(visit_of(tenant, people[Role.MANAGER], Role.MANAGER, now=NOW))
    assert figures(tile) == {"Missed": 0, "At risk": 1, "On track": 0, "Met": 1}
    assert [row.text for row in tile.rows] == ["SQL hand-offs", "MQLs"]
    assert tile.url == f"/t/{tenant.slug}/goals/?period=2027-02"


def test_the_failing_tile_lists_each_endpoint_with_its_failures_and_state(tenant, people):
    # The newer endpoint failed earlier: rows go by the last failure, not by age.
    calm = WebhookEndpointFactory(tenant=tenant, url="https://hooks.example/calm")
    older = WebhookEndpointFactory(tenant=tenant, url="https://hooks.example/older")
    newer = WebhookEndpointFactory(tenant=tenant, url="https://hooks.example/newer",
                                   enabled=False)  # fmt: skip
    last_failure = NOW - timedelta(minutes=10)
    WebhookDeliveryFactory(tenant=tenant, endpoint=older, status="failed", failures=5,
                           last_attempt_at=last_failure)  # fmt: skip
    WebhookDeliveryFactory(tenant=tenant, endpoint=older, status="succeeded", failures=0,
                           last_attempt_at=NOW - timedelta(minutes=1))  # fmt: skip
    for hours in (3, 4):
        WebhookDeliveryFactory(tenant=tenant, endpoint=newer, status="failed", failures=5,
                               last_attempt_at=NOW - timedelta(hours=hours))  # fmt: skip
    # Queued again by a redelivery: pending, no failure yet in this round, not failing.
    WebhookDeliveryFactory(tenant=tenant, endpoint=calm, status="pending", failures=0,
                           last_attempt_at=NOW - timedelta(minutes=2))  # fmt: skip
    with tenant_scope(tenant):
        tile = failing_endpoints_tile(visit_of(tenant, people[Role.ADMIN], Role.ADMIN, now=NOW))
    url = f"/t/{tenant.slug}/settings/webhooks/?failing=1"
    assert tile == TileData(
        title="Failing webhook endpoints",
        url=url,
        link_label="Failing endpoints",
        figures=[Figure("Failing in the last 24 h", 2, url, "alert")],
        rows=[
            Row("https://hooks.example/older", f"/t/{tenant.slug}/settings/webhooks/{older.pk}/",
                detail="1 failed delivery", when=last_failure, when_label="last failure"),
            Row("https://hooks.example/newer", f"/t/{tenant.slug}/settings/webhooks/{newer.pk}/",
                detail="2 failed deliveries · disabled", when=NOW - timedelta(hours=3),
                when_label="last failure"),
        ],
        empty="Every endpoint delivers.",
    )  # fmt: skip


def test_the_failing_endpoints_tile_of_endpoints_that_deliver_is_ok_and_empty(tenant, people):
    WebhookDeliveryFactory(tenant=tenant, status="succeeded", last_attempt_at=NOW)
    with tenant_scope(tenant):
        tile = failing_endpoints_tile(visit_of(tenant, people[Role.ADMIN], Role.ADMIN, now=NOW))
    url = f"/t/{tenant.slug}/settings/webhooks/?failing=1"
    assert tile.figures == [Figure("Failing in the last 24 h", 0, url, "ok")]
    assert (tile.rows, tile.empty) == ([], "Every endpoint delivers.")


def test_endpoints_failing_at_the_same_moment_list_the_newest_first(tenant, people):
    first, second = WebhookEndpointFactory.create_batch(2, tenant=tenant)
    for endpoint in (first, second):
        WebhookDeliveryFactory(tenant=tenant, endpoint=endpoint, status="failed", failures=5,
                               last_attempt_at=NOW - timedelta(hours=1))  # fmt: skip
    with tenant_scope(tenant):
        tile = failing_endpoints_tile(visit_of(tenant, people[Role.ADMIN], Role.ADMIN, now=NOW))
    assert [row.text for row in tile.rows] == [second.url, first.url]


def test_the_failing_endpoints_tile_is_the_admins_last(tenant):
    from smarketing.home.tiles import Tile, tiles_for
    from smarketing.webhooks import home

    home.register()  # as the app does at start-up; registering again replaces it
    tile = Tile("webhooks-failing", frozenset({Role.ADMIN}), 95, failing_endpoints_tile,
                False, "webhooks-failing")  # fmt: skip
    assert tiles_for(Role.ADMIN)[-1] == tile
    assert tiles_for(Role.ADMIN)[-2].order < tile.order
    for role in (Role.MANAGER, Role.MARKETER, Role.SALES_REP):
        assert tile.key not in [t.key for t in tiles_for(role)]
