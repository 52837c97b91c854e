"""Every page, as every role, at a laptop's and a phone's width, on the demo company.

The pages are discovered, not listed: the navigation's links (header and footer), then the
links inside each page, one page per URL name, a few clicks deep. A new page linked from the
navigation, or a new detail page linked from a list, is covered without touching this file.

Each page fails the test on a console error, a response >= 400 (the page or anything it
loads), a horizontal scroll bar, or a height above 20,000 px at any time in its first five
seconds (charts that grow without end grow with time, so the height is polled).
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from io import StringIO
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import Resolver404, resolve

from leads.imports.services import lead_import_process, lead_import_start
from meetings.demo.data import PASSWORD
from smarketing.tenancy.actors import Actor
from smarketing.tenancy.models import Membership, Tenant
from smarketing.tenancy.scope import tenant_scope

# Four roles at two widths take two to three minutes: longer than the default test timeout.
pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
# As the other browser tests: the README's pictures are rewritten on request only, so a test
# run leaves the working tree as it found it.
SAVE_SCREENSHOTS = os.environ.get("UPDATE_SCREENSHOTS") == "1"
WIDTHS = {"desktop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}
ROLES = ("manager", "marketer", "sales_rep", "admin")
DESKTOP_WIDTH = WIDTHS["desktop"]["width"]
CUT_OFF_TABLES = """[...document.querySelectorAll("main table")]
    .map((table) => [table, table.closest(".overflow-auto") || table])
    .filter(([table, box]) => box.scrollWidth > box.clientWidth + 1)
    .map(([table, box]) => `${table.className} ${box.scrollWidth} px in ${box.clientWidth} px`)"""
MAX_HEIGHT = 20_000
WATCH_SECONDS = 5.0
# A page may still move by a few pixels (a font, a count arriving); a feedback loop grows more.
GROWTH_SLACK = 40
DEPTH = 3
# Detail pages the demo company must lead the crawl to, so that a change in the seed or in a
# list's links cannot silently drop them from this test.
DETAIL_PAGES = {
    "leads:detail",
    "personas:detail",
    "meetings:detail",
    "meetings:series",
    "meetings:series-edit",
    "sla:version",
    "lead_imports:detail",
}


@dataclass
class Visit:
    path: str
    page: object
    opened: float
    problems: list[str] = field(default_factory=list)


@pytest.fixture
def demo_company(db):
    """The demo company of `make run`, plus one finished CSV import."""
    call_command("seed_demo", "--tenant", "demo", "--leads", "60", stdout=StringIO())
    tenant = Tenant.objects.get(slug="demo")
    marketer = Membership.all_tenants.filter(tenant=tenant, role="marketer").first()
    with tenant_scope(tenant):
        upload = SimpleUploadedFile(
            "trade-fair.csv",
            b"email,first_name,company\nnew.lead@fair.example,Nora,Fair Co\nnot-an-email,X,Y\n",
            content_type="text/csv",
        )
        started = lead_import_start(
            tenant=tenant, actor=Actor.member(marketer.user, marketer.role), uploaded_file=upload
        )
        lead_import_process(lead_import=started)
    return tenant


def _url_name(path: str) -> str | None:
    try:
        match = resolve(urlsplit(path).path)
    except Resolver404:
        return None
    return match.view_name


def _links(page, selector: str, origin: str) -> list[str]:
    hrefs = page.eval_on_selector_all(selector, "(links) => links.map((a) => a.href)")
    paths = []
    for href in hrefs:
        parts = urlsplit(href)
        if f"{parts.scheme}://{parts.netloc}" != origin or parts.path.startswith("/admin/"):
            continue
        if parts.path.endswith((".csv", ".ics", ".md")):
            continue  # downloads, not pages
        paths.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return paths


def _open(context, path: str) -> Visit:
    page = context.new_page()
    visit = Visit(path=path, page=page, opened=0.0)
    page.on(
        "console",
        lambda message: (
            message.type == "error" and visit.problems.append(f"console error: {message.text}")
        ),
    )
    page.on("pageerror", lambda error: visit.problems.append(f"script error: {error}"))
    page.on(
        "response",
        lambda response: (
            response.status >= 400
            and visit.problems.append(f"HTTP {response.status} for {response.url}")
        ),
    )
    page.goto(path, wait_until="load")
    visit.opened = time.monotonic()
    return visit


def _watch(visits: list[Visit]) -> None:
    """Poll every open page until each has lived WATCH_SECONDS. A page fails at once when it
    passes the height bound, and at the end when it grew in the second half of its watch: a
    layout that feeds its own size (a chart sized by its container) grows steadily, frame
    by frame, long after the page's data arrived."""
    pending = list(visits)
    halfway: dict[int, int] = {}
    while pending:
        for visit in list(pending):
            height = visit.page.evaluate("document.scrollingElement.scrollHeight")
            age = time.monotonic() - visit.opened
            if height > MAX_HEIGHT:
                visit.problems.append(f"page height {height} px > {MAX_HEIGHT} px")
                pending.remove(visit)
            elif age >= WATCH_SECONDS:
                if height > halfway.setdefault(id(visit), height) + GROWTH_SLACK:
                    visit.problems.append(
                        f"page keeps growing: {halfway[id(visit)]} -> {height} px"
                        f" in its last {WATCH_SECONDS / 2:.1f} s"
                    )
                pending.remove(visit)
            elif age >= WATCH_SECONDS / 2:
                halfway.setdefault(id(visit), height)
        if pending:
            pending[0].page.wait_for_timeout(200)
    for visit in visits:
        widths = visit.page.evaluate("[document.scrollingElement.scrollWidth, window.innerWidth]")
        if widths[0] > widths[1]:
            visit.problems.append(f"horizontal overflow: {widths[0]} px wide in {widths[1]} px")
        if widths[1] >= DESKTOP_WIDTH:
            # On a laptop a table must show all its columns; scrolling inside it is for phones.
            for cut in visit.page.evaluate(CUT_OFF_TABLES):
                visit.problems.append(f"table cut off: {cut}")


def _menu_problems(page) -> list[str]:
    """On a phone the links fold behind "Menu"; the bell stays in sight, and the menu opens
    onto every link and "Log out"."""
    problems = []
    if not page.locator("#notification-bell a").is_visible():
        problems.append("the bell is not in sight")
    log_out = page.get_by_role("button", name="Log out")
    if log_out.is_visible():
        problems.append("the menu is open before anyone opened it")
    page.get_by_role("button", name="Menu").click()
    if not log_out.is_visible():
        problems.append("Log out is not reachable through the menu")
    hidden = page.locator("nav .nav-links a").evaluate_all(
        "(links) => links.filter((a) => !a.checkVisibility()).map((a) => a.textContent)"
    )
    if hidden:
        problems.append(f"links not shown in the open menu: {hidden}")
    return problems


def _log_in(context, email: str):
    page = context.new_page()
    page.goto("/accounts/login/")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/t/**")
    return page


def _crawl(context, home: str, origin: str) -> tuple[list[Visit], set[str]]:
    """Open the pages reachable from the navigation, one path per URL name, DEPTH clicks
    deep; each stays open to be watched. Returns the visits and the navigation's URL names."""
    first = _open(context, home)
    navigation = _links(first.page, "header nav a[href], footer a[href]", origin)
    visits, seen = [first], {_url_name(home): home}
    for path in navigation:
        name = _url_name(path) or path
        if name not in seen:
            seen[name] = path
            visits.append(_open(context, path))
    nav_names = set(seen)
    tenant_prefix = urlsplit(home).path
    frontier = [v for v in visits if v.path.startswith(tenant_prefix)]
    for _ in range(DEPTH):
        found = []
        for visit in frontier:
            for link in _links(visit.page, "main a[href]", origin):
                name = _url_name(link)
                if name and link.startswith(tenant_prefix) and name not in seen:
                    seen[name] = link
                    found.append(_open(context, link))
        visits += found
        frontier = found
    return visits, nav_names


def test_every_page_works_for_every_role_at_desktop_and_phone_width(
    demo_company, chromium, live_server
):
    origin = live_server.url
    home = f"/t/{demo_company.slug}/"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    problems: list[str] = []
    crawled: set[str] = set()
    shot: set[str] = set()
    for role in ROLES:
        member = Membership.all_tenants.filter(tenant=demo_company, role=role).first()
        paths: list[str] = []
        for width_name, viewport in WIDTHS.items():
            started = time.monotonic()
            context = chromium.new_context(base_url=origin, viewport=viewport)
            context.set_default_timeout(15_000)
            _log_in(context, member.user.email).close()
            if paths:
                visits = [_open(context, path) for path in paths]
            else:
                visits, nav_names = _crawl(context, home, origin)
                paths = [visit.path for visit in visits]
                crawled |= {_url_name(path) or path for path in paths}
            _watch(visits)
            if width_name == "phone":
                problems += [f"{role} @ 390 px menu: {p}" for p in _menu_problems(visits[0].page)]
                if SAVE_SCREENSHOTS and role == ROLES[0]:
                    visits[0].page.screenshot(path=str(SCREENSHOTS / "phone-menu.png"))
            for visit in visits:
                problems += [
                    f"{role} @ {viewport['width']} px {visit.path}: {problem}"
                    for problem in visit.problems
                ]
                name = _url_name(visit.path) or visit.path
                if (
                    SAVE_SCREENSHOTS
                    and width_name == "desktop"
                    and name in nav_names
                    and name not in shot
                ):
                    shot.add(name)
                    visit.page.screenshot(path=str(SCREENSHOTS / f"{name.replace(':', '-')}.png"))
            context.close()
            took = time.monotonic() - started
            print(f"{role} @ {viewport['width']} px: {len(visits)} pages in {took:.1f} s")

    print("pages:", sorted(crawled))
    assert crawled >= DETAIL_PAGES, f"not reached: {sorted(DETAIL_PAGES - crawled)}"
    assert not problems, "\n".join(problems)
