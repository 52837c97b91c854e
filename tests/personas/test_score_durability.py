"""A re-score commits without waiting for the WAL flush only while it writes scores alone.

When a new score crosses an SLA threshold, the same transaction moves the lead and writes the
outbox rows that announce it: that transaction commits durably. Read inside the transaction,
where `lead.scored` is handled, after the SLA's own handler ran.
"""

import pytest
from django.db import connection

from leads.models import Lead, Stage
from personas import services
from personas.models import RescoreJob
from smarketing import events
from smarketing.durability import commit_is_relaxed
from smarketing.tenancy.scope import tenant_scope
from tests.leads.factories import LeadFactory
from tests.personas.helpers import approved_persona
from tests.sla.factories import SlaVersionFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

OPS = {"industry": "Manufacturing", "company_size": 120, "title": "COO", "country": "IT"}


@pytest.fixture
def commit_setting_when_scored(monkeypatch):
    """Whether each `lead.scored` transaction would commit relaxed, in order."""
    seen: list[bool] = []

    def probe(**context):
        seen.append(commit_is_relaxed())

    monkeypatch.setitem(
        events._handlers, "lead.scored", [*events.handlers_for("lead.scored"), probe]
    )
    # A known starting point whatever the server's default: durable commits.
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL synchronous_commit TO ON")
    return seen


def rescore(tenant) -> RescoreJob:
    with tenant_scope(tenant):
        job = RescoreJob.objects.create(tenant=tenant, reason="test", total=2)
        job, finished = services.rescore_job_run(job_id=job.pk, batch_size=10)
    assert finished
    return job


def test_a_rescore_that_only_writes_scores_commits_relaxed(tenant, commit_setting_when_scored):
    approved_persona(tenant)
    SlaVersionFactory(tenant=tenant, active=True)  # no thresholds: scores move nobody
    leads = [LeadFactory(tenant=tenant, **OPS) for _ in range(2)]
    assert rescore(tenant).changed == 2
    assert commit_setting_when_scored == [True]
    assert {lead.stage for lead in Lead.all_tenants.filter(pk__in=[x.pk for x in leads])} == {
        Stage.LEAD
    }


def test_a_rescore_that_moves_a_lead_commits_durably(tenant, commit_setting_when_scored):
    approved_persona(tenant)
    SlaVersionFactory(tenant=tenant, active=True, mql_threshold=1)
    leads = [LeadFactory(tenant=tenant, **OPS) for _ in range(2)]
    assert rescore(tenant).changed == 2
    assert commit_setting_when_scored == [False]
    assert {lead.stage for lead in Lead.all_tenants.filter(pk__in=[x.pk for x in leads])} == {
        Stage.MQL
    }
