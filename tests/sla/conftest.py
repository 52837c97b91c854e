"""Fixtures of the SLA tests: an active SLA, people of each role, a clock to set."""

from datetime import datetime

import pytest
from django.utils import timezone

from smarketing.tenancy.roles import Role
from tests.sla.factories import SlaVersionFactory


@pytest.fixture
def active_sla(tenant):
    """active_sla(**terms) -> the tenant's SLA in force (always-open UTC calendar unless given)."""

    def make(**terms):
        return SlaVersionFactory(tenant=tenant, active=True, **terms)

    return make


@pytest.fixture
def people(tenant, member):
    """One member of each role in the tenant, by role name."""
    return {role: member(tenant, role) for role in Role.values}


@pytest.fixture
def clock(monkeypatch):
    """clock.set(aware datetime): timezone.now() answers that instant until set again."""

    class Clock:
        def __init__(self):
            self.now = None

        def set(self, instant: datetime) -> datetime:
            self.now = instant
            monkeypatch.setattr(timezone, "now", lambda: self.now)
            return instant

    return Clock()
