"""One conftest for the whole suite.

Tests that need a real service carry a marker (postgres, redis, celery_worker, browser).
Without the service they skip; with STRICT_SERVICES=1 (CI) a missing service fails them.
"""

import os
import shutil

import pytest
from rest_framework.test import APIClient

from tests.factories import ApiKeyFactory, MembershipFactory, TenantFactory, UserFactory
from tests.scopes import across_tenants, install_deployed_entry_points

STRICT_SERVICES = os.environ.get("STRICT_SERVICES") == "1"
# Flags that keep a headless Chromium from calling home on a machine with no internet.
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
CHROMIUM_PATH = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


def _service_available(name: str) -> bool:
    if name == "postgres":
        return os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://"))
    if name == "redis":
        return bool(os.environ.get("REDIS_URL"))
    if name == "celery_worker":
        return _service_available("postgres") and _service_available("redis")
    if name == "browser":
        return shutil.which(CHROMIUM_PATH) is not None or os.path.exists(CHROMIUM_PATH)
    raise ValueError(name)


SLOW_TIMEOUT_SECONDS = 900


def pytest_collection_modifyitems(items):
    # Real worker processes and outages take minutes; a hang anywhere else fails in two.
    for item in items:
        slow = item.get_closest_marker("slow") or item.get_closest_marker("celery_worker")
        if slow and not item.get_closest_marker("timeout"):
            item.add_marker(pytest.mark.timeout(SLOW_TIMEOUT_SECONDS))


def pytest_runtest_setup(item):
    for name in ("postgres", "redis", "celery_worker", "browser"):
        if item.get_closest_marker(name) and not _service_available(name):
            message = f"needs {name}, which is not available here"
            if STRICT_SERVICES:
                pytest.fail(f"{message} (STRICT_SERVICES=1 forbids skipping)")
            pytest.skip(message)


# --- tenant scopes (see tests/scopes.py) -------------------------------------------------


@pytest.fixture(scope="session", autouse=True)
def _deployed_entry_points():
    install_deployed_entry_points()


@pytest.fixture(autouse=True)
def _test_body_across_tenants(request):
    """A database test's body arranges and asserts across tenants, as an operator would;
    the code it calls enters its own scope from the deployed defaults (tests/scopes.py)."""
    if "_django_db_helper" not in request.fixturenames:
        yield
        return
    request.getfixturevalue("_django_db_helper")
    with across_tenants():
        yield


@pytest.fixture(autouse=True)
def _eager_join_flag_restored():
    """Celery keeps "a result may not be joined here" in one process-wide flag that every
    eager task sets and restores. Eager tasks run by concurrent threads (the simultaneous
    accepts) restore each other's values, and can leave it set: the next test's
    `.delay().get()` then fails with "Never call result.get() within a task". Workers, one
    task per process, never interleave it; each test starts from the value it found."""
    from celery._state import _set_task_join_will_block, task_join_will_block

    before = task_join_will_block()
    yield
    _set_task_join_will_block(before)


# --- time -------------------------------------------------------------------------------


@pytest.fixture
def clock(monkeypatch):
    """clock.set(aware datetime): timezone.now() answers that instant until set again."""
    from django.utils import timezone

    class Clock:
        def __init__(self):
            self.now = None

        def set(self, instant):
            self.now = instant
            monkeypatch.setattr(timezone, "now", lambda: self.now)
            return instant

    return Clock()


# --- tenants, people and clients -----------------------------------------------------------


@pytest.fixture
def tenant(db):
    return TenantFactory(slug="acme", name="Acme")


@pytest.fixture
def other_tenant(db):
    return TenantFactory(slug="globex", name="Globex")


@pytest.fixture
def member(db):
    """member(tenant, role) -> User with that role in the tenant."""

    def make(tenant, role, **user_fields):
        return MembershipFactory(tenant=tenant, role=role, user=UserFactory(**user_fields)).user

    return make


@pytest.fixture
def api_client_for(db):
    """api_client_for(tenant, role=None) -> APIClient authenticated with a Bearer key.

    With a role, the key acts as a new member of that role; without, it is an integration key.
    """

    def make(tenant, role=None, user=None):
        if role is not None and user is None:
            user = MembershipFactory(tenant=tenant, role=role).user
        issued = ApiKeyFactory.issue(tenant=tenant, user=user)
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {issued.raw_key}")
        client.user = user
        client.api_key = issued.api_key
        return client

    return make


# --- a real browser ------------------------------------------------------------------------


@pytest.fixture(scope="session")
def chromium():
    # Playwright's sync API runs an event loop in this thread; the test body still calls the
    # ORM synchronously, which is safe here because nothing else runs on that loop.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    browser = playwright.chromium.launch(executable_path=CHROMIUM_PATH, args=CHROMIUM_ARGS)
    yield browser
    browser.close()
    playwright.stop()


@pytest.fixture
def page(chromium, live_server):
    context = chromium.new_context(
        base_url=live_server.url, viewport={"width": 1280, "height": 900}
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def log_in(page):
    """log_in(user) through the real login form; returns the page."""

    def go(user, password: str = "correct-horse-battery"):
        page.goto("/accounts/login/")
        page.get_by_label("E-mail").fill(user.email)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_load_state()
        return page

    return go
