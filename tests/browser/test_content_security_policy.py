"""Content-Security-Policy: the main pages run under it without a single violation, in a real
Chromium, and the watcher does catch one when an inline script comes back."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from smarketing.tenancy.roles import Role
from tests.leads.factories import LeadFactory, WebFormFactory
from tests.leads.helpers import RICH_BREAKDOWN
from tests.sla.factories import SlaVersionFactory
from tests.webhooks.factories import WebhookEndpointFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Records every violation the browser reports to the page, from the first byte of each page.
WATCH = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(`${event.violatedDirective} blocked ${event.blockedURI || "inline"}`);
});
"""


@pytest.fixture
def watched(chromium, live_server):
    """watched(user) -> (page logged in as user, list of CSP complaints seen so far)."""
    contexts = []

    def open_as(user):
        context = chromium.new_context(
            base_url=live_server.url, viewport={"width": 1366, "height": 900}
        )
        contexts.append(context)
        context.add_init_script(WATCH)
        page = context.new_page()
        page.set_default_timeout(15_000)
        complaints: list[str] = []
        page.on(
            "console",
            lambda message: (
                complaints.append(message.text)
                if "Content Security Policy" in message.text or message.type == "error"
                else None
            ),
        )
        page.on("pageerror", lambda error: complaints.append(str(error)))
        page.goto("/accounts/login/")
        page.get_by_label("E-mail").fill(user.email)
        page.get_by_label("Password").fill("correct-horse-battery")
        page.get_by_role("button", name="Log in").click()
        page.wait_for_load_state()
        return page, complaints

    yield open_as
    for context in contexts:
        context.close()


def violations(page) -> list[str]:
    return page.evaluate("window.__cspViolations")


def visit(page, path: str, ready: str = "main h1") -> None:
    page.goto(path)
    page.wait_for_load_state("networkidle")  # scripts ran, htmx requests settled
    expect(page.locator(ready).first).to_be_visible()


MAIN_PAGES = [
    "{base}/",
    "{base}/leads/",
    "{base}/leads/{lead}/",
    "{base}/queue/",
    "{base}/campaigns/",
    "{base}/personas/",
    "{base}/sla/",
    "{base}/feedback/",
    "{base}/meetings/",
    "{base}/settings/webhooks/",
    "{base}/notifications/",
    "{base}/settings/",
    "{base}/settings/members/",
    "{base}/settings/api-keys/",
    "{base}/settings/tenant/",
    "{base}/settings/rejection-reasons/",
    "{base}/settings/audit/",
    "{base}/leads/new/",
    "{base}/leads/{lead}/edit/",
    "{base}/forms/",
    "{base}/forms/{form}/",
    "{base}/leads/duplicates/",
    "{base}/leads/{lead}/merge/",
    "{base}/leads/import/",
    "/f/{key}/",
]


@pytest.fixture
def busy_tenant(tenant):
    SlaVersionFactory(tenant=tenant, active=True)
    lead = LeadFactory(
        tenant=tenant,
        email="giulia.rossi@officine-rossi.example",
        score=72,
        fit_score=80,
        engagement_score=60,
        persona_id=7,
        persona_version=2,
        score_breakdown=RICH_BREAKDOWN,
        last_activity_at=timezone.now() - timedelta(hours=3),
    )
    WebhookEndpointFactory(tenant=tenant, url="https://hooks.example.com/in")
    return lead


def test_the_main_pages_run_without_a_content_security_policy_violation(
    tenant, member, watched, busy_tenant
):
    admin = member(tenant, Role.ADMIN, email="ada@acme.example")
    page, complaints = watched(admin)
    base = f"/t/{tenant.slug}"
    form = WebFormFactory(tenant=tenant, consent_text="I agree.")
    for width, path in [(1366, path) for path in MAIN_PAGES] + [(390, path) for path in MAIN_PAGES]:
        page.set_viewport_size({"width": width, "height": 900})
        ready = "main h1" if path.startswith("{base}") else "h1"
        visit(page, path.format(base=base, lead=busy_tenant.pk, form=form.pk, key=form.key),
              ready=ready)  # fmt: skip
        assert violations(page) == [], (width, path)
    # The score breakdown's bars get their width from data, not from style="" attributes.
    visit(page, f"{base}/leads/{busy_tenant.pk}/")
    bar = page.locator(".contributions .bar span").first
    assert bar.evaluate("el => el.style.width").endswith("%")
    assert bar.evaluate("el => el.getBoundingClientRect().width") > 0
    assert complaints == []


def test_the_api_docs_render_under_their_own_policy(tenant, member, watched):
    page, complaints = watched(member(tenant, Role.ADMIN))
    visit(page, "/api/docs/", ready="#swagger-ui .info .title")
    expect(page.locator("#swagger-ui .opblock").first).to_be_visible()
    assert violations(page) == []
    assert complaints == []


def test_an_inline_script_on_a_page_is_blocked_and_reported(tenant, member, watched):
    """The watcher itself: serve the real lead list, with its real policy header, plus one
    inline script and one inline style. Both are blocked, and both are seen."""
    page, complaints = watched(member(tenant, Role.MARKETER))

    def with_inline_script(route):
        response = route.fetch()
        body = response.text().replace(
            "</body>",
            '<script>document.title = "injected";</script><p style="color: red">x</p></body>',
        )
        route.fulfill(response=response, body=body)

    page.route(f"**/t/{tenant.slug}/leads/", with_inline_script)
    visit(page, f"/t/{tenant.slug}/leads/")
    page.wait_for_function("window.__cspViolations.length >= 2")
    found = violations(page)
    assert any(v.startswith("script-src") for v in found), found
    assert any(v.startswith("style-src") for v in found), found
    assert page.title() != "injected"
    assert any("Content Security Policy" in text for text in complaints)
