"""Pages and reports a manager looks at while an import runs write nothing when nothing
changed: on the embedded SQLite every transaction that may write waits for the one write
lock, and a running import holds it most of the time."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from sla import services
from sla.models import RollupDirtyDay
from smarketing.tenancy.roles import Role
from smarketing.tenancy.scope import tenant_scope
from tests.sla.factories import ObligationFactory, SlaVersionFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 6, 10, 12, 0, tzinfo=UTC)
# A transaction (SAVEPOINT inside the test's own) would begin IMMEDIATE on SQLite.
_WRITING = ("INSERT", "UPDATE", "DELETE", "REPLACE", "BEGIN", "SAVEPOINT")


def _writes(captured) -> list[str]:
    return [q["sql"] for q in captured if q["sql"].lstrip().upper().startswith(_WRITING)]


@pytest.fixture
def rolled_up(tenant, clock):
    clock.set(NOW)
    SlaVersionFactory(tenant=tenant, active=True)
    ObligationFactory(tenant=tenant, status="pending", opened_at=NOW - timedelta(days=2))
    services.compliance_rollups_build(tenant_id=tenant.pk)


def test_the_compliance_report_only_reads_when_no_rolled_up_day_is_dirty(
    tenant, rolled_up, api_client_for
):
    client = api_client_for(tenant, Role.MANAGER)
    client.get("/api/v1/sla/compliance/")  # the key's last use is recorded once a minute
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/api/v1/sla/compliance/")
    assert response.status_code == 200
    assert response.json()["sales"]["pending"] == 1
    assert _writes(captured) == []


def test_a_report_before_the_first_build_computes_live_and_only_reads(
    tenant, clock, api_client_for
):
    clock.set(NOW)
    SlaVersionFactory(tenant=tenant, active=True)
    ObligationFactory(tenant=tenant, status="pending", opened_at=NOW - timedelta(days=2))
    with tenant_scope(tenant):
        # Marks left by changes before any build (the demo's seed leaves some).
        services.rollup_days_touch(opened=[NOW - timedelta(days=2)], now=NOW)
    client = api_client_for(tenant, Role.MANAGER)
    client.get("/api/v1/sla/compliance/")
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/api/v1/sla/compliance/")
    assert response.json()["sales"]["pending"] == 1
    assert _writes(captured) == []


def test_a_dirty_day_is_still_rebuilt_before_the_report(tenant, rolled_up, api_client_for):
    with tenant_scope(tenant):
        services.rollup_days_touch(opened=[NOW - timedelta(days=2)], now=NOW)
        assert RollupDirtyDay.objects.exists()
    response = api_client_for(tenant, Role.MANAGER).get("/api/v1/sla/compliance/")
    assert response.status_code == 200
    with tenant_scope(tenant):
        assert not RollupDirtyDay.objects.exists()


def test_opening_the_managers_pages_again_saves_no_session(tenant, rolled_up, member):
    client = Client()
    client.force_login(member(tenant, Role.ADMIN))
    pages = [f"/t/{tenant.slug}/{path}" for path in ("leads/", "queue/", "sla/", "leads/import/")]
    for path in pages:
        assert client.get(path).status_code == 200  # the first records the tenant opened
    for path in pages:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(path).status_code == 200
        assert _writes(captured) == [], path
