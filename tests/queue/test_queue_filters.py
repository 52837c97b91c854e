"""The queue page narrows, re-orders, compacts and pages the queue; the contract's order
(most urgent SLA deadline first) stays the default."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from leads.models import Stage
from tests.leads.factories import CampaignFactory, LeadFactory
from tests.sla.factories import SlaVersionFactory

pytestmark = pytest.mark.django_db


def emails(html: str) -> list[str]:
    return re.findall(r'data-lead="([^"]+)"', html)


@pytest.fixture
def queue(tenant, reps, page_for):
    """Four waiting SQLs; get(**query) -> the queue page's HTML for a rep."""
    now = timezone.now()
    webinar = CampaignFactory(tenant=tenant, name="Spring webinar")
    fair = CampaignFactory(tenant=tenant, name="Trade fair")
    SlaVersionFactory(tenant=tenant, active=True, hot_score=80)
    rows = [
        ("late@x.example", -1, 50, webinar, "IT", 7),
        ("soon@x.example", 1, 90, fair, "DE", None),
        ("later@x.example", 5, 85, webinar, "IT", 7),
        ("latest@x.example", 30, 20, fair, "FR", None),
    ]
    for email, hours, score, campaign, country, persona in rows:
        LeadFactory(tenant=tenant, stage=Stage.SQL, email=email, score=score, campaign=campaign,
                    country=country, persona_id=persona,
                    score_breakdown={"persona": {"id": persona, "name": "Ops lead"}}
                    if persona else {},
                    accept_due_at=now + timedelta(hours=hours))  # fmt: skip
    client = page_for(reps(1)[0])

    def get(**query):
        response = client.get(f"/t/{tenant.slug}/queue/", query)
        assert response.status_code == 200
        return response.content.decode()

    get.campaigns = {"webinar": webinar, "fair": fair}
    return get


def test_without_filters_the_queue_is_most_urgent_first(queue):
    assert emails(queue()) == ["late@x.example", "soon@x.example", "later@x.example",
                               "latest@x.example"]  # fmt: skip


def test_filters_narrow_the_queue_by_campaign_persona_country_hot_and_overdue(queue):
    webinar = queue.campaigns["webinar"]
    assert emails(queue(campaign=webinar.pk)) == ["late@x.example", "later@x.example"]
    assert emails(queue(persona=7, country="IT")) == ["late@x.example", "later@x.example"]
    assert emails(queue(country="fr")) == ["latest@x.example"]
    assert emails(queue(hot="on")) == ["soon@x.example", "later@x.example"]  # score >= 80
    assert emails(queue(overdue="on")) == ["late@x.example"]
    assert "No SQL waiting matches these filters." in queue(overdue="on", country="DE")


def test_the_filter_bar_offers_what_is_in_the_queue(queue):
    html = queue()
    assert '<option value="7">Ops lead</option>' in html
    assert ">Spring webinar</option>" in html and ">Trade fair</option>" in html
    assert '<option value="DE">DE</option>' in html


def test_a_rep_sorts_by_score_or_newest_hand_off(queue):
    assert emails(queue(sort="score")) == ["soon@x.example", "later@x.example",
                                           "late@x.example", "latest@x.example"]  # fmt: skip
    assert emails(queue(sort="nonsense")) == emails(queue())


def test_the_compact_view_is_one_table_row_per_lead_with_accept(queue):
    html = queue(view="rows")
    assert '<table class="striped queue-table">' in html
    assert len(re.findall(r'<tr class="queue-item', html)) == 4
    assert html.count(">Accept</button>") == 4
    assert '<article class="queue-item' not in html


def test_the_queue_pages_by_twenty_and_keeps_the_filters(tenant, queue):
    for index in range(30):
        LeadFactory(tenant=tenant, stage=Stage.SQL, email=f"bulk{index}@x.example", country="IT",
                    accept_due_at=timezone.now() + timedelta(days=2, minutes=index))  # fmt: skip
    first = queue(country="IT")
    assert len(emails(first)) == 20 and "32 SQLs waiting that match; 1\u201320 shown." in first
    assert 'href="?country=IT&amp;page=2" rel="next"' in first
    second = queue(country="IT", page=2)
    assert len(emails(second)) == 12
    assert 'hx-get="/t/acme/queue/rows/?country=IT&amp;page=2"' in second
