import pytest

from tests.webhooks.receiver import Receiver


@pytest.fixture
def receiver():
    """A receiver on loopback, answering 200 until told otherwise."""
    running = Receiver().start()
    yield running
    running.stop()
