"""Fixtures of the goal tests: clients of each role, and a clock inside a known month."""

import pytest

from smarketing.tenancy.roles import Role


@pytest.fixture
def clients(tenant, api_client_for):
    """One API client of each role in the tenant, by role name (each a different person)."""
    return {role: api_client_for(tenant, role) for role in Role.values}
