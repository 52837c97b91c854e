import pytest
from django.utils import timezone


@pytest.fixture
def clock(monkeypatch):
    """clock.set(aware datetime): timezone.now() answers that instant until set again."""

    class Clock:
        def set(self, instant):
            monkeypatch.setattr(timezone, "now", lambda: instant)
            return instant

    return Clock()
