import pytest


@pytest.fixture
def media_root(settings, tmp_path):
    """Uploaded files go to a fresh folder of the test (use it with `usefixtures`)."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
