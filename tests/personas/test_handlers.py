"""Scores follow the lead: created, changed, active, erased — in the same transaction."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from leads import services as lead_services
from leads.input import clean_lead
from leads.models import Lead
from personas.scoring import EngagementConfig, blend, engagement_score, score_lead
from personas.selectors import approved_persona_specs
from personas.services import leads_rescore
from smarketing.tenancy.actors import Actor
from smarketing.tenancy.scope import tenant_scope
from tests.leads.factories import LeadFactory
from tests.personas.factories import BuyerPersonaFactory
from tests.personas.helpers import approved_persona, record_scored

pytestmark = pytest.mark.django_db

OPS_LEAD = {
    "industry": "Manufacturing",
    "company_size": 120,
    "title": "Head of Operations",
    "country": "DE",
}


def upsert(tenant, **fields) -> Lead:
    clean, errors = clean_lead(fields)
    assert not errors
    result = lead_services.lead_upsert(tenant=tenant, actor=Actor.system(), data=clean)
    return Lead.objects.get(pk=result.lead.pk)


def record_events(tenant, lead, *events) -> None:
    items = [{"lead_id": lead.pk, "type": kind, "occurred_at": at} for kind, at in events]
    results = lead_services.lead_events_record(tenant=tenant, actor=Actor.system(), items=items)
    assert all(r.status == "recorded" for r in results)


def test_a_new_lead_is_scored_against_the_approved_personas_only(tenant):
    with tenant_scope(tenant):
        persona = approved_persona(tenant, name="Ops in manufacturing")
        BuyerPersonaFactory(
            tenant=tenant,
            version__criteria=[
                {"field": "industry", "operator": "equals", "value": "manufacturing",
                 "weight": 100}
            ],
        )  # fmt: skip
        lead = upsert(tenant, email="ops@plant.example", **OPS_LEAD)

    assert lead.fit_score == 90  # industry 40 + size 30 + title 20 of 100; country missed
    assert (lead.persona_id, lead.persona_version) == (persona.pk, 1)
    assert lead.engagement_score == 0
    assert lead.score == blend(90, 0)
    breakdown = lead.score_breakdown
    assert breakdown["persona"] == {"id": persona.pk, "version": 1, "name": "Ops in manufacturing"}
    assert [c["field"] for c in breakdown["criteria"]["matched"]] == [
        "industry", "company_size", "title",
    ]  # fmt: skip
    assert [c["field"] for c in breakdown["criteria"]["missed"]] == ["country"]


def test_the_stored_breakdown_is_the_one_the_scoring_module_explains(tenant, clock):
    clock.set(timezone.now())  # points decay with time: scoring and the check read one instant
    with tenant_scope(tenant):
        persona = approved_persona(tenant, name="Ops")
        lead = upsert(tenant, email="ops@plant.example", **OPS_LEAD)
        record_events(tenant, lead, ("webinar", timezone.now()))
        lead.refresh_from_db()
        specs = approved_persona_specs(tenant_id=tenant.pk)
    expected = score_lead(
        {**OPS_LEAD, "custom": {}}, specs, [("webinar", lead.engagement_at)], lead.engagement_at
    )
    stored = dict(lead.score_breakdown)
    assert stored.pop("engagement_points") == {"webinar": pytest.approx(15.0)}
    assert stored == expected.breakdown
    assert stored["persona"]["id"] == persona.pk


def test_a_lead_matching_only_a_draft_persona_has_no_fit(tenant):
    with tenant_scope(tenant):
        BuyerPersonaFactory(tenant=tenant)  # same criteria, but nobody approved it
        lead = upsert(tenant, email="ops@plant.example", **OPS_LEAD)
    assert (lead.fit_score, lead.persona_id, lead.score) == (0, None, 0)


def test_changing_a_leads_profile_rescores_its_fit(tenant, monkeypatch):
    with tenant_scope(tenant):
        approved_persona(tenant)
        lead = upsert(tenant, email="ops@plant.example", industry="Retail")
        assert lead.fit_score == 0
        scored = record_scored(monkeypatch)
        lead = upsert(tenant, email="ops@plant.example", **OPS_LEAD)

    assert lead.fit_score == 90
    [(items, leads)] = scored
    assert items == [{"lead_id": lead.pk, "score": lead.score, "previous_score": 0}]
    assert [x.pk for x in leads] == [lead.pk]
    assert leads[0].score == lead.score


def test_bulk_upserted_leads_are_scored_together(tenant, api_client_for):
    with tenant_scope(tenant):
        approved_persona(tenant)
    items = [{"email": f"p{i}@plant.example", **OPS_LEAD} for i in range(5)]
    items.append({"email": "shop@retail.example", "industry": "Retail"})
    response = api_client_for(tenant).post("/api/v1/leads/bulk/", {"items": items})
    assert response.status_code == 200
    fits = dict(Lead.all_tenants.values_list("email", "fit_score"))
    assert fits == {**{f"p{i}@plant.example": 90 for i in range(5)}, "shop@retail.example": 0}


def test_without_personas_new_leads_are_not_read_back_for_scoring(tenant):
    with tenant_scope(tenant):
        old = LeadFactory(tenant=tenant, score=40, engagement_score=40)
        new = [LeadFactory(tenant=tenant).pk for _ in range(3)]
        with CaptureQueriesContext(connection) as only_new:
            leads_rescore(tenant_id=tenant.pk, lead_ids=new, new_ids=new)
        with CaptureQueriesContext(connection) as with_old:
            leads_rescore(tenant_id=tenant.pk, lead_ids=[*new, old.pk], new_ids=new)
    reads = [q["sql"] for q in only_new.captured_queries if '"leads_lead"' in q["sql"]]
    assert reads == []
    # A lead scored earlier is still brought back to 0 (its persona lost approval, say).
    assert any('"leads_lead"' in q["sql"] for q in with_old.captured_queries)
    assert Lead.all_tenants.get(pk=old.pk).score < 40


def test_rescoring_a_batch_costs_the_same_queries_whatever_its_size(tenant):
    with tenant_scope(tenant):
        approved_persona(tenant)
        small = [LeadFactory(tenant=tenant, **OPS_LEAD).pk for _ in range(3)]
        large = [LeadFactory(tenant=tenant, **OPS_LEAD).pk for _ in range(30)]
        with CaptureQueriesContext(connection) as few:
            leads_rescore(tenant_id=tenant.pk, lead_ids=small)
        with CaptureQueriesContext(connection) as many:
            leads_rescore(tenant_id=tenant.pk, lead_ids=large)
    assert len(many) == len(few)
    assert set(
        Lead.all_tenants.filter(pk__in=small + large).values_list("fit_score", flat=True)
    ) == {90}


def test_events_add_their_decayed_weight_to_engagement(tenant):
    now = timezone.now()
    config = EngagementConfig.default()
    with tenant_scope(tenant):
        lead = upsert(tenant, email="reader@x.example")
        record_events(tenant, lead, ("webinar", now - timedelta(days=14)))
        lead.refresh_from_db()
        assert lead.engagement_raw == pytest.approx(7.5, rel=1e-4)  # 15 points, one half-life
        record_events(tenant, lead, ("form_submit", now), ("page_view", now - timedelta(days=1)))
        lead.refresh_from_db()

    everything = [
        ("webinar", now - timedelta(days=14)),
        ("form_submit", now),
        ("page_view", now - timedelta(days=1)),
    ]
    expected = engagement_score(everything, lead.engagement_at, config)
    assert lead.engagement_raw == pytest.approx(expected.raw, rel=1e-9)
    assert lead.engagement_score == expected.score
    assert lead.score == blend(0, expected.score)
    contributions = lead.score_breakdown["engagement_contributions"]
    assert contributions == expected.contributions
    assert max(contributions, key=contributions.get) == "form_submit"


def test_an_event_of_a_type_weighing_nothing_changes_no_score(tenant, monkeypatch):
    with tenant_scope(tenant):
        lead = upsert(tenant, email="reader@x.example")
        scored = record_scored(monkeypatch)
        lead_services.lead_events_record(
            tenant=tenant, actor=Actor.system(),
            items=[{"lead_id": lead.pk, "type": "page_view", "occurred_at": timezone.now()
                    - timedelta(days=400)}],
        )  # fmt: skip
        lead.refresh_from_db()
    assert lead.engagement_score == 0
    assert scored == []


def test_erasing_a_lead_rescores_it_without_its_personal_data(tenant):
    with tenant_scope(tenant):
        approved_persona(
            tenant,
            criteria=[{"field": "title", "operator": "contains_any", "value": ["coo"],
                       "weight": 100}],
        )  # fmt: skip
        lead = upsert(tenant, email="coo@plant.example", title="COO")
        assert lead.fit_score == 100
        lead_services.lead_erase(lead=lead, actor=Actor.system())
        lead.refresh_from_db()
    assert (lead.fit_score, lead.persona_id) == (0, None)


def test_scoring_of_one_tenant_ignores_another_tenants_personas(tenant, other_tenant):
    with tenant_scope(other_tenant):
        approved_persona(other_tenant)
    with tenant_scope(tenant):
        lead = upsert(tenant, email="ops@plant.example", **OPS_LEAD)
    assert lead.fit_score == 0
