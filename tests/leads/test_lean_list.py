"""The lead list renders plain rows (leads.api.lean); its body must be, byte for byte, what
`LeadSerializer` makes of the same leads, whatever their fields hold."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.renderers import JSONRenderer

from leads.api.lean import lead_rows, lead_rows_render
from leads.api.serializers import LeadSerializer
from leads.models import Stage
from leads.selectors import lead_list
from smarketing.tenancy.roles import Role
from smarketing.tenancy.scope import tenant_scope
from tests.leads.factories import CampaignFactory, LeadFactory
from tests.personas.factories import BuyerPersonaFactory

pytestmark = pytest.mark.django_db

BREAKDOWN = {"score": 71, "fit": 80, "engagement": 58, "persona": {"id": 1, "version": 2,
             "name": "Ops"}, "criteria": {"matched": [{"field": "industry", "weight": 40}],
             "missed": []}, "weights": {"fit": 0.6, "engagement": 0.4},
             "engagement_raw": 12.5, "engagement_points": {"page_view": 2.25},
             "engagement_contributions": {"page_view": 58}}  # fmt: skip


@pytest.fixture
def varied_leads(tenant, member):
    """Leads that between them use every field: empty and full, owned and not, nulls,
    nested JSON, unicode, an accepted SQL, a cold lead, big and small numbers."""
    now = timezone.now()
    rep = member(tenant, Role.SALES_REP, email="rép@sales.example")
    with tenant_scope(tenant):
        campaign = CampaignFactory(tenant=tenant)
        persona = BuyerPersonaFactory(tenant=tenant)
        return [
            LeadFactory(tenant=tenant, first_name="", last_name="", company=""),
            LeadFactory(
                tenant=tenant, email="zoë@exämple.example", first_name="Zoë", title="CTO",
                phone="+39 06 1234", industry="Logistics", company_size=0, country="IT",
                campaign=campaign, custom_fields={"zeta": "z", "a": [1, 2.5, None], "b": True,
                                                  "nested": {"y": 1, "x": "ü"}},
                stage=Stage.SQL, owner=rep, accepted_at=now - timedelta(hours=3),
                persona_id=persona.pk, persona_version=2, score=71, fit_score=80,
                engagement_score=58,
                score_breakdown=BREAKDOWN, last_activity_at=now - timedelta(days=2, seconds=7),
            ),
            LeadFactory(tenant=tenant, stage=Stage.MQL, owner=rep, company_size=2_000_000,
                        is_cold=True, stage_changed_at=now.replace(microsecond=0)),
            LeadFactory(tenant=tenant, stage=Stage.RECYCLED, score=100, custom_fields={}),
        ]  # fmt: skip


def _both_ways(tenant) -> tuple[bytes, bytes]:
    with tenant_scope(tenant):
        queryset = lead_list().order_by("-id")
        full = JSONRenderer().render(LeadSerializer(queryset, many=True).data)
        lean = JSONRenderer().render(lead_rows_render(lead_rows(queryset)))
    return lean, full


def test_lean_rows_render_the_bytes_the_serializer_renders(tenant, varied_leads):
    lean, full = _both_ways(tenant)

    assert [item["id"] for item in json.loads(lean)] == sorted(
        (lead.pk for lead in varied_leads), reverse=True
    )
    assert lean == full


def test_lean_rows_render_times_in_the_current_time_zone_as_the_serializer_does(
    tenant, varied_leads
):
    with timezone.override("America/Sao_Paulo"):
        lean, full = _both_ways(tenant)

    assert b"-03:00" in lean
    assert lean == full


def test_the_list_endpoint_answers_the_serializers_body(tenant, varied_leads, api_client_for):
    client = api_client_for(tenant)

    answer = client.get("/api/v1/leads/?page_size=3&ordering=score")

    with tenant_scope(tenant):
        page = list(lead_list().order_by("score", "-id")[:3])
    assert answer.json()["results"] == LeadSerializer(page, many=True).data
    assert answer.json()["next"]
