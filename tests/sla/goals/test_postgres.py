"""Goals under races on real PostgreSQL: separate connections in separate threads."""

from datetime import UTC, datetime

import pytest

from sla.goals.models import Goal
from smarketing.tenancy.audit_models import AuditEntry
from smarketing.tenancy.roles import Role
from tests.leads.test_concurrency import client_for, run_at_once
from tests.sla.goals.factories import GoalFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _mid_january(clock):
    clock.set(datetime(2027, 1, 15, 12, tzinfo=UTC))


def test_of_ten_managers_setting_the_same_goal_at_once_one_sets_it(tenant):
    managers = [client_for(tenant, Role.MANAGER) for _ in range(10)]
    body = {"period": "2027-01", "metric": "pipeline", "target": 250000, "owner": "sales"}
    responses = run_at_once(
        [lambda c=c: c.post("/api/v1/goals/", body, format="json") for c in managers]
    )
    codes = sorted(r.status_code for r in responses)
    assert codes == [201] + [409] * 9, [r.json() for r in responses]
    assert {r.json()["code"] for r in responses if r.status_code == 409} == {"goal_exists"}
    assert Goal.all_tenants.filter(tenant=tenant).count() == 1
    assert AuditEntry.all_tenants.filter(tenant=tenant, action="goal.created").count() == 1


def test_of_ten_marketers_signing_at_once_one_signature_stands(tenant):
    goal = GoalFactory(tenant=tenant, period="2027-01", metric="mqls", target=200)
    marketers = [client_for(tenant, Role.MARKETER) for _ in range(10)]
    responses = run_at_once(
        [lambda c=c: c.post(f"/api/v1/goals/{goal.pk}/sign/", format="json") for c in marketers]
    )
    codes = sorted(r.status_code for r in responses)
    assert codes == [200] + [409] * 9
    winner = next(c for c, r in zip(marketers, responses, strict=True) if r.status_code == 200)
    goal.refresh_from_db()
    assert goal.marketing_signed_by_id == winner.user.pk
    assert AuditEntry.all_tenants.filter(tenant=tenant, action="goal.signed").count() == 1
