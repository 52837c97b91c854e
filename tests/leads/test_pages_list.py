"""The lead list page: columns, filters, ordering, paging, queries, htmx and the export link."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from leads.models import Lead, Stage
from smarketing.tenancy.roles import Role
from tests.leads.factories import CampaignFactory, LeadFactory
from tests.leads.helpers import leads_url, text_of

pytestmark = pytest.mark.django_db


def test_lead_list_shows_each_lead_with_stage_owner_campaign_and_cold_flag(tenant, as_role):
    client, _ = as_role(Role.MARKETER)
    rep = as_role(Role.SALES_REP, email="rita@acme.example")[1]
    campaign = CampaignFactory(tenant=tenant, name="Spring webinar")
    LeadFactory(
        tenant=tenant,
        email="ada@prospect.example",
        company="Lovelace Ltd",
        stage=Stage.SQL,
        owner=rep,
        accepted_at=timezone.now(),
        campaign=campaign,
        is_cold=True,
        score=83,
    )

    page = text_of(client.get(leads_url(tenant)))

    assert "<h1>Leads</h1>" in page
    row = page[page.index("ada@prospect.example") :]
    row = row[: row.index("</tr>")]
    for shown in (
        "Lovelace Ltd",
        'class="badge stage-sql"',
        "rita@acme.example",
        "Spring webinar",
        'class="badge cold"',
        ">83<",
    ):
        assert shown in row


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("stage=mql", {"mql@x.example"}),
        ("stage=mql&stage=sql", {"mql@x.example", "mine@x.example"}),
        ("owner=me", {"mine@x.example"}),
        ("owner=none", {"mql@x.example", "cold@x.example", "acme-ceo@x.example"}),
        ("is_cold=true", {"cold@x.example"}),
        ("score_min=50&score_max=70", {"mql@x.example"}),
        ("q=acme", {"acme-ceo@x.example"}),
        ("q=initech", {"cold@x.example"}),
    ],
)
def test_lead_list_filters_like_the_api(tenant, as_role, query, expected):
    client, rep = as_role(Role.SALES_REP)
    LeadFactory(tenant=tenant, email="mql@x.example", stage=Stage.MQL, score=60)
    LeadFactory(tenant=tenant, email="mine@x.example", stage=Stage.SQL, owner=rep, score=90)
    LeadFactory(tenant=tenant, email="cold@x.example", is_cold=True, company="Initech", score=5)
    LeadFactory(tenant=tenant, email="acme-ceo@x.example", company="Other", score=20)

    page = text_of(client.get(leads_url(tenant) + "?" + query))

    shown = set(re.findall(r">([\w-]+@x\.example)</a>", page))
    assert shown == expected


def test_lead_list_filters_by_campaign_and_creation_dates(tenant, as_role):
    client, _ = as_role(Role.MARKETER)
    spring, autumn = CampaignFactory(tenant=tenant), CampaignFactory(tenant=tenant)
    old = LeadFactory(tenant=tenant, email="old@x.example", campaign=spring)
    LeadFactory(tenant=tenant, email="new@x.example", campaign=autumn)
    Lead.all_tenants.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=40))
    since = (timezone.now() - timedelta(days=7)).date().isoformat()

    by_campaign = text_of(client.get(leads_url(tenant) + f"?campaign={spring.pk}"))
    recent = text_of(client.get(leads_url(tenant) + f"?created_after={since}"))
    earlier = text_of(client.get(leads_url(tenant) + f"?created_before={since}"))

    assert "old@x.example" in by_campaign and "new@x.example" not in by_campaign
    assert "new@x.example" in recent and "old@x.example" not in recent
    assert "old@x.example" in earlier and "new@x.example" not in earlier


def test_lead_list_orders_by_score_and_by_last_activity(tenant, as_role):
    client, _ = as_role(Role.MARKETER)
    now = timezone.now()
    LeadFactory(tenant=tenant, email="low@x.example", score=10, last_activity_at=now)
    LeadFactory(tenant=tenant, email="high@x.example", score=90, last_activity_at=None)
    LeadFactory(
        tenant=tenant, email="mid@x.example", score=50, last_activity_at=now - timedelta(days=3)
    )

    def order(ordering):
        page = text_of(client.get(leads_url(tenant) + f"?ordering={ordering}"))
        return re.findall(r">(\w+)@x\.example</a>", page)

    assert order("-score") == ["high", "mid", "low"]
    assert order("score") == ["low", "mid", "high"]
    # Never-active leads sort last when the latest activity comes first.
    assert order("-last_activity_at") == ["low", "mid", "high"]


def test_an_unknown_filter_value_is_reported_and_ignored(tenant, as_role):
    client, _ = as_role(Role.MARKETER)
    LeadFactory(tenant=tenant, email="any@x.example")

    page = text_of(client.get(leads_url(tenant) + "?score_min=lots&ordering=nonsense"))

    assert "Some filters were ignored" in page
    assert "any@x.example" in page


def test_lead_list_pages_by_fifty(tenant, as_role):
    client, _ = as_role(Role.MARKETER)
    LeadFactory.create_batch(53, tenant=tenant)

    first = text_of(client.get(leads_url(tenant)))
    second = text_of(client.get(leads_url(tenant) + "?page=2"))
    past_the_end = text_of(client.get(leads_url(tenant) + "?page=9"))

    assert first.count('name="lead"') == 50 and "1\u201350 of 53 leads" in first
    assert second.count('name="lead"') == 3 and "Page 2 of 2" in second
    assert past_the_end.count('name="lead"') == 3


def test_lead_list_runs_the_same_queries_for_three_leads_or_fifty(
    tenant, as_role, member, django_assert_num_queries
):
    client, _ = as_role(Role.MARKETER)

    def add_leads(count):
        for _ in range(count):
            owner = member(tenant, Role.SALES_REP)
            LeadFactory(tenant=tenant, owner=owner, campaign=CampaignFactory(tenant=tenant))

    add_leads(3)
    client.get(leads_url(tenant))  # warm the session
    with CaptureQueriesContext(connection) as few:
        assert client.get(leads_url(tenant)).status_code == 200
    add_leads(50)

    with django_assert_num_queries(len(few.captured_queries)):
        page = text_of(client.get(leads_url(tenant)))
    assert page.count('name="lead"') == 50


def test_an_htmx_request_gets_only_the_results(tenant, as_role):
    client, _ = as_role(Role.MARKETER)
    LeadFactory(tenant=tenant, email="a@x.example", stage=Stage.MQL)
    LeadFactory(tenant=tenant, email="b@x.example")

    response = client.get(leads_url(tenant) + "?stage=mql", headers={"HX-Request": "true"})

    page = text_of(response)
    assert page.lstrip().startswith('<div id="lead-results">')
    assert "<html" not in page and "a@x.example" in page and "b@x.example" not in page
    assert 'hx-swap-oob="true"' in page  # the sort menu follows the header links


def test_the_export_link_downloads_the_filtered_list(tenant, as_role):
    client, _ = as_role(Role.MARKETER)
    LeadFactory(tenant=tenant, email="hot@x.example", score=90)
    LeadFactory(tenant=tenant, email="cold@x.example", score=10)

    page = text_of(client.get(leads_url(tenant) + "?score_min=50&page=1"))
    link = re.search(r'href="([^"]+export\.csv[^"]*)"', page).group(1).replace("&amp;", "&")
    exported = b"".join(client.get(link).streaming_content).decode()

    assert "page=" not in link
    assert "hot@x.example" in exported and "cold@x.example" not in exported
