"""The lead page's content: the score breakdown, with or without data, and its query count."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from leads.models import Stage
from smarketing.tenancy.roles import Role
from tests.leads.factories import LeadEventFactory, LeadFactory, StageTransitionFactory
from tests.leads.helpers import RICH_BREAKDOWN, leads_url, text_of

pytestmark = pytest.mark.django_db


def test_the_score_breakdown_explains_fit_and_engagement(tenant, as_role):
    client, _ = as_role(Role.MARKETER)
    lead = LeadFactory(
        tenant=tenant,
        score=72,
        fit_score=80,
        engagement_score=60,
        persona_id=7,
        persona_version=2,
        score_breakdown=RICH_BREAKDOWN,
    )

    page = text_of(client.get(leads_url(tenant, lead.pk)))

    assert "Operations lead in mid-size manufacturing" in page
    assert "90 of 115 points of criteria weight matched." in page
    assert "Industry <span" in page and "Erp vendor (custom field)" in page
    assert "weight 60%" in page and "weight 40%" in page
    assert page.index("Webinar") < page.index("E-mail clicked") < page.index("Page view")
    assert "22.5 pts" in page


def test_an_unscored_lead_shows_that_there_is_no_breakdown_yet(tenant, as_role):
    client, _ = as_role(Role.MARKETER)
    lead = LeadFactory(tenant=tenant, score_breakdown={})

    response = client.get(leads_url(tenant, lead.pk))

    assert response.status_code == 200
    assert "No breakdown yet" in text_of(response)


def test_a_partial_breakdown_does_not_break_the_page(tenant, as_role):
    client, _ = as_role(Role.MARKETER)
    lead = LeadFactory(
        tenant=tenant,
        score_breakdown={"score": 12, "persona": None, "criteria": "?", "weights": {"fit": 0}},
    )

    page = text_of(client.get(leads_url(tenant, lead.pk)))

    assert "No persona matched this lead." in page and "No engagement counted yet." in page


def test_the_lead_page_runs_the_same_queries_for_a_short_or_long_history(
    tenant, as_role, reasons, django_assert_num_queries
):
    client, _ = as_role(Role.MARKETER)
    lead = LeadFactory(tenant=tenant, stage=Stage.LEAD)
    StageTransitionFactory(lead=lead)
    LeadEventFactory(lead=lead)
    client.get(leads_url(tenant, lead.pk))
    with CaptureQueriesContext(connection) as short:
        client.get(leads_url(tenant, lead.pk))
    StageTransitionFactory.create_batch(20, lead=lead)
    LeadEventFactory.create_batch(20, lead=lead, type="webinar", properties={"title": "Demo"})

    with django_assert_num_queries(len(short.captured_queries)):
        page = text_of(client.get(leads_url(tenant, lead.pk)))
    assert page.count('class="timeline-event') == 21


def test_custom_fields_named_like_dict_methods_show_on_the_lead_page(tenant, as_role):
    client, _ = as_role(Role.MARKETER)
    fields = {"items": "three crates", "keys": 2, "values": "honesty", "erp": "SAP"}
    lead = LeadFactory(tenant=tenant, custom_fields=fields)

    response = client.get(leads_url(tenant, lead.pk))

    assert response.status_code == 200
    page = response.content.decode()
    for name, value in fields.items():
        assert f"<dt>{name}</dt><dd>{value}</dd>" in page
