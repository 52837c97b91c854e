"""Fixtures of the meetings tests."""

import pytest


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """`with committed():` runs the block's after-commit work (the e-mails it sends) as a
    real commit would, inside the test's transaction."""
    return lambda: django_capture_on_commit_callbacks(execute=True)
