"""Fixtures of the queue tests: people by role, hand-offs through the real services."""

import pytest
from django.test import Client

from leads import services as leads
from leads.models import Stage
from smarketing.tenancy.actors import Actor
from smarketing.tenancy.roles import Role
from smarketing.tenancy.scope import tenant_scope
from tests.leads.factories import LeadFactory
from tests.sla.factories import SlaVersionFactory


@pytest.fixture
def marketer(tenant, member):
    return member(tenant, Role.MARKETER, email="mara@acme.example")


@pytest.fixture
def manager(tenant, member):
    return member(tenant, Role.MANAGER, email="max@acme.example")


@pytest.fixture
def reps(tenant, member):
    """reps(n) -> n sales reps, named rep1@… in id order."""

    def make(count):
        return [
            member(tenant, Role.SALES_REP, email=f"rep{i}@acme.example")
            for i in range(1, count + 1)
        ]

    return make


@pytest.fixture
def hand_off(tenant, marketer):
    """hand_off(**lead fields) -> an MQL handed off to sales by the marketer, as a page would."""

    def make(**fields):
        lead = LeadFactory(tenant=tenant, stage=Stage.MQL, **fields)
        with tenant_scope(tenant):
            leads.lead_transition(
                lead=lead, to=Stage.SQL, actor=Actor.member(marketer, Role.MARKETER)
            )
        lead.refresh_from_db()
        return lead

    return make


@pytest.fixture
def active_sla(tenant):
    def make(**terms):
        return SlaVersionFactory(tenant=tenant, active=True, **terms)

    return make


@pytest.fixture
def page_for():
    """page_for(user) -> a logged-in Django test client."""

    def make(user):
        client = Client()
        client.force_login(user)
        return client

    return make


def act(tenant, user, role):
    return Actor.member(user, role)
