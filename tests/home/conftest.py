"""Fixtures of the home tests: one member per role, and a tenant's worth of work for them."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from sla.goals.metrics import METRICS
from sla.goals.models import Goal
from smarketing.home.tiles import HomeContext
from smarketing.periods import current_month
from smarketing.tenancy.roles import Role
from tests.leads.factories import LeadFactory, StageTransitionFactory
from tests.scopes import across_tenants
from tests.sla.factories import BreachFactory, ObligationFactory, SlaVersionFactory
from tests.sla.goals.factories import GoalFactory
from tests.webhooks.factories import WebhookDeliveryFactory, WebhookEndpointFactory

GOAL_METRICS = [metric for metric in METRICS if metric != "acceptance_rate"]


@pytest.fixture
def people(tenant, member):
    """One member of each role, by role."""
    return {
        Role.SALES_REP: member(tenant, Role.SALES_REP, email="rita@acme.example"),
        Role.MARKETER: member(tenant, Role.MARKETER, email="mara@acme.example"),
        Role.MANAGER: member(tenant, Role.MANAGER, email="max@acme.example"),
        Role.ADMIN: member(tenant, Role.ADMIN, email="ada@acme.example"),
    }


@pytest.fixture
def client_for():
    def make(user):
        client = Client()
        client.force_login(user)
        return client

    return make


def visit_of(tenant, user, role, *, now=None, last_visit=None) -> HomeContext:
    return HomeContext(
        request=None, tenant=tenant, user=user, role=role,
        now=now or timezone.now(), last_visit=last_visit,
    )  # fmt: skip


@pytest.fixture
def active_sla(tenant):
    def make(**terms):
        return SlaVersionFactory(tenant=tenant, active=True, **terms)

    return make


def _add_goals(tenant, count: int, now) -> None:
    """Up to `count` more of this month's goals (one per metric and period: a second call
    adds the metrics the first left out)."""
    period = current_month(tenant.timezone, now).label
    with across_tenants():
        taken = set(Goal.all_tenants.filter(tenant=tenant, period=period)
                    .values_list("metric", flat=True))  # fmt: skip
    for metric in [metric for metric in GOAL_METRICS if metric not in taken][:count]:
        GoalFactory(tenant=tenant, period=period, metric=metric, target=1000)


def add_work(tenant, people, count: int, *, now=None) -> None:
    """`count` of everything a tile counts or lists: queued SQLs (overdue and due soon),
    first touches owed, rejections (and cold recycles), cold MQLs, MQLs and hand-offs,
    breaches, failing webhook endpoints."""
    now = now or timezone.now()
    rep = people[Role.SALES_REP]
    _add_goals(tenant, count, now)
    for n in range(count):
        LeadFactory(tenant=tenant, stage="sql", accept_due_at=now - timedelta(minutes=n + 1))
        LeadFactory(tenant=tenant, stage="sql", accept_due_at=now + timedelta(minutes=30 + n))
        ObligationFactory(
            tenant=tenant, kind="first_touch", owner=rep,
            lead=LeadFactory(tenant=tenant, stage="sql", owner=rep, accepted_at=now),
            opened_at=now - timedelta(hours=1 + n),
        )  # fmt: skip
        rejected = LeadFactory(tenant=tenant, stage="recycled")
        StageTransitionFactory(
            lead=rejected, action="reject", from_stage="sql", to_stage="recycled",
            reason_code="bad_fit" if n % 2 else "no_budget", note="Too small", actor=rep,
            at=now - timedelta(minutes=n + 1),
        )  # fmt: skip
        StageTransitionFactory(
            lead=rejected, action="reject", from_stage="sql", to_stage="recycled",
            reason_code="went_cold", at=now - timedelta(minutes=n + 1),
        )  # fmt: skip
        LeadFactory(tenant=tenant, stage="mql", is_cold=True, cold_since=now - timedelta(days=n))
        StageTransitionFactory(lead=LeadFactory(tenant=tenant), at=now - timedelta(minutes=n))
        StageTransitionFactory(
            lead=LeadFactory(tenant=tenant), from_stage="mql", to_stage="sql", at=now
        )
        BreachFactory(tenant=tenant, breached_at=now - timedelta(minutes=n))
        WebhookDeliveryFactory(
            tenant=tenant, endpoint=WebhookEndpointFactory(tenant=tenant), status="failed",
            failures=3, attempts=3, last_attempt_at=now - timedelta(minutes=n + 1),
        )  # fmt: skip
