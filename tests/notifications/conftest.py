import pytest

from smarketing.events.relay import outbox_relay
from smarketing.tenancy.scope import cross_tenant_scope


@pytest.fixture
def relay():
    """relay() -> run the outbox relay once, as the beat task would."""

    def run():
        with cross_tenant_scope():
            return outbox_relay()

    return run
