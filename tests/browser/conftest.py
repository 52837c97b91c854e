"""Fixtures of the browser tests: real Chromium against the live server."""

import pytest


@pytest.fixture
def browser_as(chromium, live_server):
    """browser_as(user, height=900) -> a page in its own browser context, logged in as that
    user, 1280 px wide."""
    contexts = []

    def open_as(user, password: str = "correct-horse-battery", *, height: int = 900):
        context = chromium.new_context(
            base_url=live_server.url, viewport={"width": 1280, "height": height}
        )
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.goto("/accounts/login/")
        page.get_by_label("E-mail").fill(user.email)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_load_state()
        return page

    yield open_as
    for context in contexts:
        context.close()
