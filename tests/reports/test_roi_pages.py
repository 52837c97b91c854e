"""The campaign ROI page: tables, the empty state, errors beside the fields, the CSV link;
and in Chromium, its charts for every role at a laptop's and a phone's width."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from leads.models import CampaignTouch
from smarketing.tenancy.roles import Role
from smarketing.tenancy.scope import cross_tenant_scope
from tests.leads.factories import CampaignFactory, LeadFactory, StageTransitionFactory

ROLES = (Role.ADMIN, Role.MANAGER, Role.MARKETER, Role.SALES_REP)
WIDTHS = ((1366, 900), (390, 844))


def _won_lead(tenant, campaign, when):
    lead = LeadFactory(tenant=tenant)
    with cross_tenant_scope():
        CampaignTouch.all_tenants.create(tenant=tenant, lead=lead, campaign=campaign,
                                         source="ingest", at=when)  # fmt: skip
    for n, (action, src, dst) in enumerate([("move", "lead", "mql"), ("move", "mql", "sql"),
                                            ("accept", "sql", "sql"),
                                            ("move", "sql", "opportunity"),
                                            ("move", "opportunity", "won")]):  # fmt: skip
        StageTransitionFactory(lead=lead, action=action, from_stage=src, to_stage=dst,
                               at=when + timedelta(minutes=n),
                               amount=Decimal("9000") if dst == "won" else None)  # fmt: skip


@pytest.fixture
def campaigns(tenant):
    today = timezone.localdate()
    webinar = CampaignFactory(tenant=tenant, name="Spring webinar", channel="webinar", cost=3000,
                              starts_on=today - timedelta(days=20), ends_on=today)  # fmt: skip
    search = CampaignFactory(
        tenant=tenant,
        name="Search ads with a rather long name",
        channel="paid_search",
        cost=1200,
        starts_on=today - timedelta(days=5),
    )
    # The moves end a minute ago: moves timed after now would fall outside today's period in
    # the minutes before the tenant's midnight.
    _won_lead(tenant, webinar, timezone.now() - timedelta(minutes=6))
    LeadFactory(tenant=tenant)  # a lead of no campaign
    return webinar, search


def client_as(tenant, member, role):
    client = Client()
    client.force_login(member(tenant, role))
    return client


@pytest.mark.django_db
def test_the_page_lists_each_campaign_and_channel_with_a_csv_link(tenant, member, campaigns):
    response = client_as(tenant, member, Role.MARKETER).get(f"/t/{tenant.slug}/reports/campaigns/")
    assert response.status_code == 200
    text = response.content.decode()
    assert "Spring webinar" in text and "Search ads with a rather long name" in text
    assert 'data-testid="roi-channel"' in text and "Paid search" in text
    report = response.context["report"]
    assert report["totals"]["revenue"] == "9000.00"
    assert "/api/v1/reports/campaigns.csv?from=" in text and "attribution=first" in text


@pytest.mark.django_db
def test_an_empty_range_shows_the_empty_state(tenant, member, campaigns):
    response = client_as(tenant, member, Role.MANAGER).get(
        f"/t/{tenant.slug}/reports/campaigns/", {"from": "2001-01-01", "to": "2001-01-31"}
    )
    assert response.status_code == 200
    assert 'data-testid="roi-empty"' in response.content.decode()


@pytest.mark.django_db
def test_a_bad_filter_is_explained_beside_its_field(tenant, member, campaigns):
    response = client_as(tenant, member, Role.MANAGER).get(
        f"/t/{tenant.slug}/reports/campaigns/",
        {"from": "2026-05-01", "to": "2026-04-01", "attribution": "linear"},
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert "The first day is after the last." in text
    assert "Use one of first, last." in text


@pytest.mark.django_db
def test_another_tenants_page_is_a_404(tenant, other_tenant, member):
    response = client_as(tenant, member, Role.ADMIN).get(
        f"/t/{other_tenant.slug}/reports/campaigns/"
    )
    assert response.status_code == 404


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_every_role_sees_the_charts_drawn_at_both_widths_without_errors(
    tenant, member, campaigns, chromium, live_server
):
    for role in ROLES:
        user = member(tenant, role)
        for width, height in WIDTHS:
            context = chromium.new_context(
                base_url=live_server.url, viewport={"width": width, "height": height}
            )
            page = context.new_page()
            page.set_default_timeout(15_000)
            problems: list[str] = []
            page.on("console", lambda m, seen=problems: m.type == "error" and seen.append(m.text))
            page.on("pageerror", lambda error, seen=problems: seen.append(str(error)))
            page.goto("/accounts/login/")
            page.get_by_label("E-mail").fill(user.email)
            page.get_by_label("Password").fill("correct-horse-battery")
            page.get_by_role("button", name="Log in").click()
            page.wait_for_load_state()
            page.goto(f"/t/{tenant.slug}/reports/campaigns/")
            page.wait_for_selector('#campaign-roi[data-state="drawn"]')
            revenue = page.evaluate(
                """() => Chart.getChart(document.getElementById("chart-cost-revenue"))
                        .data.datasets.find((set) => set.label === "Revenue").data"""
            )
            assert 9000 in revenue, (role, width)
            overflow = page.evaluate(
                "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            assert overflow <= 0, (role, width, overflow)
            assert problems == [], (role, width, problems)
            link = page.get_by_role("button", name="Download CSV")
            with page.expect_download() as download:
                link.click()
            assert download.value.suggested_filename.startswith("campaign-roi-acme-")
            context.close()
