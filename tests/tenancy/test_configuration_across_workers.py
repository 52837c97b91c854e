"""Web workers keep a tenant's scoring inputs and SLA thresholds; a change reaches every one
of them on the very next request (smarketing/tenancy/configuration.py).

Two gunicorn servers (one worker each) share the test database and Redis, as the workers of
a deployment do. Each posts leads until it keeps what the tenant scores with, then the
change is made here, in another process, and committed: the next lead posted to each server
must be scored, or qualified, by the new terms.
"""

from __future__ import annotations

import uuid

import pytest

from smarketing.tenancy.scope import tenant_scope
from tests.factories import ApiKeyFactory
from tests.personas.helpers import approved_persona
from tests.sla.factories import SlaVersionFactory
from tests.tenancy.test_credentials_across_workers import _call, workers  # noqa: F401

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
]

CRITERIA = [{"field": "country", "operator": "equals", "value": "IT", "weight": 100}]
LEAD = {"first_name": "Ada", "company": "Analytical Engines", "country": "IT"}


def _post_lead(port: int, key: str) -> dict:
    status, body = _call(port, key, "POST", "/api/v1/leads/",
                         {"email": f"{uuid.uuid4().hex[:10]}@plant.example", **LEAD})  # fmt: skip
    assert status == 201, body
    return body


def test_a_newly_approved_persona_scores_on_every_worker_on_the_next_request(
    tenant,
    workers,  # noqa: F811
):
    key = ApiKeyFactory.issue(tenant=tenant).raw_key
    # Twice each: the second answer comes from what the worker kept.
    assert [_post_lead(port, key)["fit_score"] for port in workers for _ in range(2)] == [0] * 4

    with tenant_scope(tenant):
        approved_persona(tenant, criteria=CRITERIA)

    assert [_post_lead(port, key)["fit_score"] for port in workers] == [100, 100]


def test_a_newly_active_sla_qualifies_on_every_worker_on_the_next_request(
    tenant,
    workers,  # noqa: F811
):
    key = ApiKeyFactory.issue(tenant=tenant).raw_key
    with tenant_scope(tenant):
        approved_persona(tenant, criteria=CRITERIA)
    assert {_post_lead(port, key)["stage"] for port in workers for _ in range(2)} == {"lead"}

    with tenant_scope(tenant):
        SlaVersionFactory(tenant=tenant, active=True, mql_threshold=30)

    assert [_post_lead(port, key)["stage"] for port in workers] == ["mql", "mql"]
