"""Claiming at the service: a candidate lost between the read and the accept is passed over,
and a claim gives up after a bounded number of such losses."""

from datetime import UTC, datetime, timedelta

import pytest

from leads.errors import AlreadyAccepted, StaleStage
from leads.models import Lead, Stage
from leads.services import claims, queue_claim
from smarketing.tenancy.actors import Actor
from smarketing.tenancy.roles import Role
from smarketing.tenancy.scope import tenant_scope
from tests.leads.factories import LeadFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2027, 3, 22, 10, 0, tzinfo=UTC)


@pytest.fixture
def rep(tenant, member):
    return Actor.member(member(tenant, Role.SALES_REP, email="rep1@acme.example"), Role.SALES_REP)


def sqls(tenant, count):
    """`count` SQLs, the first the most urgent."""
    return [LeadFactory(tenant=tenant, stage=Stage.SQL, accept_due_at=NOW + timedelta(hours=i))
            for i in range(count)]  # fmt: skip


def losing_on(monkeypatch, lost_ids, error=StaleStage):
    """The accept fails (as a lost race would) for the leads in `lost_ids`, which still look
    takeable to the next read; returns the ids the claim tried, in order."""
    tried = []
    accept = claims.lead_accept

    def racing_accept(*, lead, actor):
        tried.append(lead.pk)
        if lead.pk in lost_ids:
            raise error("The lead moved to recycled meanwhile.")
        return accept(lead=lead, actor=actor)

    monkeypatch.setattr(claims, "lead_accept", racing_accept)
    return tried


def claim(tenant, actor):
    with tenant_scope(tenant):
        return queue_claim(actor=actor)


@pytest.mark.parametrize("error", [StaleStage, AlreadyAccepted])
def test_a_claim_that_loses_its_candidate_takes_the_next_one(tenant, rep, monkeypatch, error):
    first, second, _ = sqls(tenant, 3)
    tried = losing_on(monkeypatch, {first.pk}, error)
    claimed = claim(tenant, rep)
    assert claimed.pk == second.pk
    assert tried == [first.pk, second.pk]
    assert Lead.all_tenants.get(pk=first.pk).accepted_at is None
    assert Lead.all_tenants.get(pk=second.pk).owner_id == rep.user.pk


def test_a_claim_gives_up_after_five_lost_candidates(tenant, rep, monkeypatch):
    leads = sqls(tenant, 6)
    tried = losing_on(monkeypatch, {lead.pk for lead in leads[:5]})
    assert claim(tenant, rep) is None
    assert tried == [lead.pk for lead in leads[:5]]
    assert not Lead.all_tenants.filter(accepted_at__isnull=False).exists()
