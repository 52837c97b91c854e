"""Claims racing on real PostgreSQL: separate connections in separate threads."""

import pytest

from leads.models import Lead, Stage, StageTransition
from smarketing.tenancy.roles import Role
from tests.leads.factories import LeadFactory
from tests.leads.test_concurrency import client_for, run_at_once

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_twenty_reps_claiming_at_once_get_twenty_different_sqls(tenant):
    LeadFactory.create_batch(25, tenant=tenant, stage=Stage.SQL)
    clients = [client_for(tenant, Role.SALES_REP) for _ in range(20)]

    responses = run_at_once([lambda c=c: c.post("/api/v1/queue/claim/") for c in clients])

    assert [r.status_code for r in responses] == [200] * 20
    claimed = [r.json()["id"] for r in responses]
    assert len(set(claimed)) == 20
    for client, response in zip(clients, responses, strict=True):
        assert response.json()["owner"]["id"] == client.user.pk
    owned = Lead.all_tenants.filter(accepted_at__isnull=False)
    assert owned.count() == 20
    assert owned.values("owner_id").distinct().count() == 20
    assert StageTransition.all_tenants.filter(action="accept").count() == 20


def test_more_claims_than_sqls_leave_the_rest_with_204(tenant):
    LeadFactory.create_batch(3, tenant=tenant, stage=Stage.SQL)
    clients = [client_for(tenant, Role.SALES_REP) for _ in range(8)]
    responses = run_at_once([lambda c=c: c.post("/api/v1/queue/claim/") for c in clients])
    codes = sorted(r.status_code for r in responses)
    assert codes == [200] * 3 + [204] * 5
    assert len({r.json()["id"] for r in responses if r.status_code == 200}) == 3
