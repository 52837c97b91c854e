"""The queue's selectors, read directly: the filters a rep narrows it by (hot, due soon, sort),
the options they pick from, the leads they log touches on, and a claim that passes over a row
another claim holds."""

from datetime import timedelta

import pytest
from django.utils import timezone

from leads.models import Lead, Stage
from leads.selectors import sales_queue
from leads.selectors.sales_queue import (
    QueueFilters,
    my_open_leads,
    queue_facets,
    queue_filtered,
    queue_for,
)
from leads.services.claims import lead_deadline_set, queue_claim
from smarketing.tenancy.actors import Actor
from smarketing.tenancy.roles import Role
from smarketing.tenancy.scope import tenant_scope
from tests.leads.factories import CampaignFactory, LeadFactory
from tests.row_locks import row_locked

pytestmark = pytest.mark.django_db

NOW = timezone.now()


@pytest.fixture
def rep(tenant, reps):
    (user,) = reps(1)
    return Actor.member(user, Role.SALES_REP)


@pytest.fixture
def readers(monkeypatch):
    """Register the SLA's readers through the setters, restored after the test."""
    monkeypatch.setattr(sales_queue, "_hot_score_reader", None)
    monkeypatch.setattr(sales_queue, "_due_soon_reader", None)
    return sales_queue


def sql(tenant, **fields):
    return LeadFactory(tenant=tenant, stage=Stage.SQL, **fields)


def filtered(tenant, rep, **filters):
    with tenant_scope(tenant):
        return list(queue_filtered(actor=rep, filters=QueueFilters(**filters), now=NOW))


def test_hot_keeps_the_leads_at_or_above_the_slas_hot_score(tenant, rep, readers):
    hot, _ = sql(tenant, score=80), sql(tenant, score=79)
    assert filtered(tenant, rep, hot=True) == []  # no SLA reader: nothing is hot
    readers.queue_hot_score_reader_set(lambda: 80)
    assert filtered(tenant, rep, hot=True) == [hot]
    readers.queue_hot_score_reader_set(lambda: None)
    assert filtered(tenant, rep, hot=True) == []  # no hot score in force: nothing is hot


def test_due_soon_keeps_the_deadlines_after_now_and_up_to_the_slas_limit(tenant, rep, readers):
    sql(tenant, accept_due_at=NOW - timedelta(minutes=1))  # overdue, not due soon
    soon = sql(tenant, accept_due_at=NOW + timedelta(hours=2))
    sql(tenant, accept_due_at=NOW + timedelta(hours=5))
    sql(tenant)  # no deadline
    assert filtered(tenant, rep, due_soon=True) == []  # no SLA reader: nothing is due soon
    readers.queue_due_soon_reader_set(lambda now: now + timedelta(hours=2))
    assert filtered(tenant, rep, due_soon=True) == [soon]
    readers.queue_due_soon_reader_set(lambda now: None)
    assert filtered(tenant, rep, due_soon=True) == []


def test_an_unknown_sort_falls_back_to_most_urgent_first(tenant, rep):
    later = sql(tenant, accept_due_at=NOW + timedelta(hours=3), score=90)
    sooner = sql(tenant, accept_due_at=NOW + timedelta(hours=1), score=10)
    assert filtered(tenant, rep, sort="bogus") == [sooner, later]
    assert filtered(tenant, rep, sort="score") == [later, sooner]


def test_a_queue_page_reads_owners_and_campaigns_in_one_query(
    tenant, rep, django_assert_num_queries
):
    campaign = CampaignFactory(tenant=tenant)
    for _ in range(3):
        sql(tenant, owner_id=rep.user_id, campaign=campaign)
    with tenant_scope(tenant), django_assert_num_queries(1):
        rows = [(lead.owner.email, lead.campaign.name) for lead in queue_for(actor=rep)]
    assert len(rows) == 3


def test_filter_options_are_sorted_by_name_and_a_persona_without_one_shows_its_number(tenant, rep):
    zeta, alpha = (
        CampaignFactory(tenant=tenant, name="Zeta"),
        CampaignFactory(tenant=tenant, name="Alpha"),
    )
    sql(tenant, campaign=zeta, persona_id=2, score_breakdown={"persona": {"name": "Wren"}})
    sql(tenant, campaign=alpha, persona_id=8, country="IT")
    sql(tenant, persona_id=5, score_breakdown={"persona": {"name": "Ash"}}, country="DE")
    with tenant_scope(tenant):
        facets = queue_facets(actor=rep)
    assert facets == {
        "campaigns": [(alpha.pk, "Alpha"), (zeta.pk, "Zeta")],
        "personas": [(8, "#8"), (5, "Ash"), (2, "Wren")],
        "countries": ["DE", "IT"],
    }


def test_a_persona_named_on_one_lead_keeps_its_name_when_another_lead_lacks_it(tenant, rep):
    sql(tenant, persona_id=4, score_breakdown={"persona": {"name": "Oak"}})
    sql(tenant, persona_id=4)
    with tenant_scope(tenant):
        assert queue_facets(actor=rep)["personas"] == [(4, "Oak")]


def test_my_open_leads_are_my_accepted_sqls_and_opportunities_least_recently_touched_first(
    tenant, rep, member
):
    mine = {"owner_id": rep.user_id}
    # Created in the opposite order of the expected one: the order is not the ids'.
    deal = LeadFactory(
        tenant=tenant, stage=Stage.OPPORTUNITY, last_activity_at=NOW - timedelta(days=1), **mine
    )
    old = sql(tenant, accepted_at=NOW, last_activity_at=NOW - timedelta(days=3), **mine)
    never = sql(tenant, accepted_at=NOW, **mine)
    sql(tenant, **mine)  # routed to me, not accepted yet: in the queue, not here
    LeadFactory(tenant=tenant, stage=Stage.WON, **mine)
    sql(
        tenant, accepted_at=NOW, owner=member(tenant, Role.SALES_REP, email="b@acme.example")
    )  # someone else's
    with tenant_scope(tenant):
        assert list(my_open_leads(actor=rep)) == [never, old, deal]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_claim_passes_over_the_sql_another_claim_holds(tenant, rep):
    held = sql(tenant, accept_due_at=NOW + timedelta(hours=1))
    free = sql(tenant, accept_due_at=NOW + timedelta(hours=2))
    with row_locked(Lead, held.pk), tenant_scope(tenant):
        assert queue_claim(actor=rep) == free


def test_clearing_a_deadline_clears_its_warning_too(tenant):
    lead = sql(tenant)
    due, warn = NOW + timedelta(hours=4), NOW + timedelta(hours=3)
    with tenant_scope(tenant):
        assert lead_deadline_set(lead_ids=[lead.pk], due_at=due, warn_at=warn) == 1
        lead.refresh_from_db()
        assert (lead.accept_due_at, lead.accept_warn_at) == (due, warn)
        lead_deadline_set(lead_ids=[lead.pk], due_at=None, warn_at=warn)
        lead.refresh_from_db()
    assert (lead.accept_due_at, lead.accept_warn_at) == (None, None)
