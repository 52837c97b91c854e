"""Team self-service in a real Chromium: an admin invites a rep by e-mail, the rep joins
from the link and lands in the queue, the admin promotes them, a manager reassigns two
leads at once, and the audit page shows all of it."""

import re
from urllib.parse import urlparse

import pytest
from django.core import mail
from playwright.sync_api import expect

from leads.models import Lead, Stage
from smarketing.tenancy.roles import Role
from smarketing.tenancy.scope import tenant_scope
from tests.leads.factories import LeadFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


# The page's own content (not the shared header) stays within the screen: wide tables
# scroll inside their own box.
NO_OVERFLOW = (
    "(() => { const m = document.querySelector('main');"
    " return m.scrollWidth <= m.clientWidth + 1"
    " && m.getBoundingClientRect().right <= window.innerWidth + 1; })()"
)


@pytest.fixture
def open_page(chromium, live_server):
    """open_page(width=1280) -> a page in a fresh browser context; console errors collected."""
    contexts = []

    def make(width: int = 1280):
        context = chromium.new_context(
            base_url=live_server.url, viewport={"width": width, "height": 900}
        )
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.console_errors = []
        page.on("console", lambda m: m.type == "error" and page.console_errors.append(m.text))
        return page

    yield make
    for context in contexts:
        context.close()


def log_in(page, email, password="correct-horse-battery"):
    page.goto("/accounts/login/")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()


def test_admin_invites_a_rep_promotes_them_and_the_audit_page_lists_it(tenant, member, open_page):
    admin = member(tenant, Role.ADMIN, email="admin@acme.example")
    manager = member(tenant, Role.MANAGER, email="manager@acme.example")
    first_rep = member(tenant, Role.SALES_REP, email="first.rep@acme.example")
    second_rep = member(tenant, Role.SALES_REP, email="second.rep@acme.example")
    owned = [
        LeadFactory(
            tenant=tenant, stage=Stage.SQL, owner=first_rep, email=f"owned{n}@prospect.example"
        )
        for n in range(2)
    ]

    # The admin invites a rep from the members page (reached through the navigation).
    admin_page = open_page()
    log_in(admin_page, admin.email)
    admin_page.get_by_role("link", name="Settings").click()
    admin_page.get_by_role("link", name="Members", exact=True).first.click()
    expect(admin_page.get_by_role("heading", name="Members", exact=True)).to_be_visible()
    admin_page.get_by_label("E-mail").fill("nia.rossi@example.com")
    admin_page.get_by_label("Role", exact=True).select_option("sales_rep")
    admin_page.get_by_role("button", name="Send invitation").click()
    expect(admin_page.get_by_text("Invitation sent to nia.rossi@example.com.")).to_be_visible()

    # The rep opens the link from the e-mail, sets a password, and lands in the queue.
    [message] = [m for m in mail.outbox if m.to == ["nia.rossi@example.com"]]
    link = re.search(r"https?://\S+/invite/\S+/", message.body).group(0)
    rep_page = open_page()
    rep_page.goto(urlparse(link).path)
    rep_page.get_by_label("First name").fill("Nia")
    rep_page.get_by_label("Last name").fill("Rossi")
    rep_page.get_by_label("Choose a password").fill("a-long-enough-passphrase")
    rep_page.get_by_role("button", name="Join Acme").click()
    expect(rep_page).to_have_url(re.compile(rf"/t/{tenant.slug}/queue/$"))
    expect(rep_page.get_by_role("heading", name="Queue")).to_be_visible()
    expect(rep_page.get_by_role("link", name="Settings")).to_have_count(0)

    # The admin makes them a manager; their next page shows the managers' settings.
    admin_page.reload()
    row = admin_page.locator('tr[data-member="nia.rossi@example.com"]')
    row.get_by_label("Role of nia.rossi@example.com").select_option("manager")
    row.get_by_role("button", name="Change role").click()
    expect(admin_page.get_by_text("nia.rossi@example.com updated.")).to_be_visible()
    rep_page.reload()
    expect(rep_page.get_by_role("link", name="Settings")).to_be_visible()
    rep_page.set_viewport_size({"width": 390, "height": 900})
    rep_page.goto(f"/t/{tenant.slug}/settings/members/")
    expect(rep_page.get_by_role("heading", name="Members", exact=True)).to_be_visible()
    # At 390 px the page's own content stays inside the screen (wide tables scroll).
    assert rep_page.evaluate(NO_OVERFLOW)

    # A manager reassigns two leads in bulk from the list.
    manager_page = open_page()
    log_in(manager_page, manager.email)
    manager_page.goto(f"/t/{tenant.slug}/leads/?stage=sql")
    for lead in owned:
        manager_page.get_by_label(f"Select {lead.email}").check()
    manager_page.get_by_label("New owner").select_option(second_rep.email)
    manager_page.get_by_role("button", name="Reassign").click()
    expect(manager_page.get_by_text(f"To {second_rep.email}: 2 reassigned.")).to_be_visible()
    with tenant_scope(tenant):
        assert {Lead.objects.get(pk=lead.pk).owner_id for lead in owned} == {second_rep.pk}

    # The audit page lists all of it.
    admin_page.goto(f"/t/{tenant.slug}/settings/audit/")
    table = admin_page.locator("table.audit")
    for action in ("invitation.created", "member.joined", "member.role_changed"):
        expect(table.get_by_text(action, exact=True)).to_have_count(1)
    expect(table.get_by_text("lead.reassigned", exact=True)).to_have_count(2)
    admin_page.get_by_label("Action (e.g. member or member.role_changed)").fill("member")
    admin_page.get_by_role("button", name="Filter").click()
    expect(table.get_by_text("lead.reassigned", exact=True)).to_have_count(0)
    expect(table.get_by_text("member.role_changed", exact=True)).to_have_count(1)
    for page in (admin_page, rep_page, manager_page):
        assert page.console_errors == []


def test_a_member_resets_a_forgotten_password_from_the_emailed_link(tenant, member, open_page):
    rep = member(tenant, Role.SALES_REP, email="forgetful@acme.example")
    page = open_page(width=390)
    page.goto("/accounts/login/")
    page.get_by_role("link", name="Forgot your password?").click()
    page.get_by_label("E-mail").fill(rep.email)
    page.get_by_role("button", name="Send the link").click()
    page.wait_for_load_state()
    [message] = [m for m in mail.outbox if m.to == [rep.email]]
    link = re.search(r"https?://\S+/accounts/reset/\S+/", message.body).group(0)
    page.goto(urlparse(link).path)
    page.get_by_label("New password").fill("a-brand-new-passphrase")
    page.get_by_label("Repeat it").fill("a-brand-new-passphrase")
    page.get_by_role("button", name="Set password").click()
    page.wait_for_load_state()
    log_in(page, rep.email, "a-brand-new-passphrase")
    expect(page).to_have_url(re.compile(rf"/t/{tenant.slug}/"))
    page.goto(urlparse(link).path)  # the link works once
    expect(page.get_by_role("alert")).to_contain_text("expired or was used already")
    assert page.console_errors == []


@pytest.mark.parametrize("width", [1366, 390])
def test_settings_pages_fit_the_screen_without_console_errors(tenant, member, open_page, width):
    admin = member(tenant, Role.ADMIN, email="admin@acme.example")
    member(tenant, Role.SALES_REP, email="a.rep.with.a.rather.long.address@acme.example")
    lead = LeadFactory(tenant=tenant)
    page = open_page(width=width)
    log_in(page, admin.email)
    page.goto(f"/t/{tenant.slug}/settings/api-keys/")
    page.get_by_label("Name").fill("Warehouse sync")
    page.get_by_role("button", name="Create key").click()
    expect(page.get_by_test_id("new-key")).to_have_value(re.compile(r"^smk_"))
    page.get_by_role("button", name="Copy").click()
    expect(page.get_by_role("button", name="Copied")).to_be_visible()
    for path in ("", "members/", "api-keys/", "tenant/", "rejection-reasons/", "audit/"):
        page.goto(f"/t/{tenant.slug}/settings/{path}")
        assert page.evaluate(NO_OVERFLOW), path
    for path in ("leads/new/", f"leads/{lead.pk}/edit/"):
        page.goto(f"/t/{tenant.slug}/{path}")
        assert page.evaluate(NO_OVERFLOW), path
    assert page.console_errors == []
