"""Property: whatever the personas, settings, profiles and events, the scores stored on
leads stay in 0..100 and agree with each other and with their breakdown."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from leads.models import EventType, Lead
from personas.models import BuyerPersona, PersonaVersion, ScoringSettings
from personas.scoring import ScoreWeights, blend
from personas.services import decay_sweep, leads_engagement_add, leads_rescore
from smarketing.tenancy.scope import tenant_scope

pytestmark = pytest.mark.django_db

INDUSTRIES = ["manufacturing", "logistics", "retail", ""]
TITLES = ["COO", "Head of Operations", "Intern", ""]
COUNTRIES = ["IT", "DE", ""]

criteria = st.lists(
    st.one_of(
        st.builds(
            lambda values, w: {"field": "industry", "operator": "in", "value": values,
                               "weight": w},
            st.lists(st.sampled_from(INDUSTRIES[:3]), min_size=1, max_size=3, unique=True),
            st.integers(1, 100),
        ),
        st.builds(
            lambda lo, span, w: {"field": "company_size", "operator": "range",
                                 "value": [lo, lo + span], "weight": w},
            st.integers(0, 500), st.integers(0, 1000), st.integers(1, 100),
        ),
        st.builds(
            lambda words, w: {"field": "title", "operator": "contains_any", "value": words,
                              "weight": w},
            st.lists(st.sampled_from(["coo", "operations", "head"]), min_size=1, unique=True),
            st.integers(1, 100),
        ),
        st.builds(
            lambda code, w: {"field": "country", "operator": "not_in", "value": [code],
                             "weight": w},
            st.sampled_from(COUNTRIES[:2]), st.integers(1, 100),
        ),
    ),
    min_size=1,
    max_size=5,
)  # fmt: skip
profiles = st.fixed_dictionaries(
    {
        "industry": st.sampled_from(INDUSTRIES),
        "company_size": st.one_of(st.none(), st.integers(0, 2000)),
        "title": st.sampled_from(TITLES),
        "country": st.sampled_from(COUNTRIES),
    }
)
events = st.lists(st.tuples(st.sampled_from(EventType.values), st.floats(0, 90)), max_size=6)
blend_weights = st.tuples(st.floats(0, 10), st.floats(0, 10)).filter(lambda w: sum(w) > 0)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    personas=st.lists(criteria, min_size=1, max_size=3),
    leads=st.lists(st.tuples(profiles, events), min_size=1, max_size=5),
    weights=blend_weights,
    half_life=st.floats(0.5, 60),
    event_weight=st.floats(0, 200),
)
def test_stored_scores_always_stay_within_0_and_100(
    tenant, personas, leads, weights, half_life, event_weight
):
    now = timezone.now()
    with transaction.atomic(), tenant_scope(tenant):
        ScoringSettings.objects.create(
            tenant=tenant, engagement_weights={"webinar": event_weight},
            half_life_days=half_life, saturation=30.0, fit_weight=weights[0],
            engagement_weight=weights[1],
        )  # fmt: skip
        for index, persona_criteria in enumerate(personas):
            persona = BuyerPersona.objects.create(tenant=tenant)
            PersonaVersion.objects.create(
                tenant=tenant, persona=persona, number=1, name=f"P{index}",
                criteria=persona_criteria, status="approved",
            )  # fmt: skip
        made = [
            Lead.objects.create(tenant=tenant, email=f"p{i}@x.example", stage_changed_at=now,
                                **profile)
            for i, (profile, _) in enumerate(leads)
        ]  # fmt: skip
        leads_rescore(tenant_id=tenant.pk, lead_ids=[lead.pk for lead in made])
        leads_engagement_add(
            tenant_id=tenant.pk,
            events_by_lead={
                lead.pk: [(kind, now - timedelta(days=age)) for kind, age in lead_events]
                for lead, (_, lead_events) in zip(made, leads, strict=True)
                if lead_events
            },
        )
        decay_sweep()

        blend_with = ScoreWeights(*weights)
        for lead in Lead.objects.filter(pk__in=[lead.pk for lead in made]):
            assert 0 <= lead.fit_score <= 100
            assert 0 <= lead.engagement_score <= 100
            assert 0 <= lead.score <= 100
            assert lead.score == blend(lead.fit_score, lead.engagement_score, blend_with)
            breakdown = lead.score_breakdown
            assert (breakdown["score"], breakdown["fit"], breakdown["engagement"]) == (
                lead.score, lead.fit_score, lead.engagement_score,
            )  # fmt: skip
            assert (lead.persona_id is None) == (lead.fit_score == 0)
            assert lead.engagement_raw >= 0
        transaction.set_rollback(True)
