"""How stored scores are kept: custom-field criteria on every path, stored points and their
floor, leads with nothing to score, re-reads of leads others changed, held instances."""

import json
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

import personas.services.scoring as scoring
from leads import services as lead_services
from leads.input import clean_lead
from leads.models import Lead
from personas import services
from personas.models import RescoreJob
from personas.scoring import EngagementConfig, decay_raw
from personas.services import leads_engagement_add, leads_rescore
from personas.services.score_store import CUSTOM, scoring_rows
from smarketing.tenancy.actors import Actor
from smarketing.tenancy.scope import tenant_scope
from tests.leads.factories import LeadEventFactory, LeadFactory
from tests.personas.factories import BuyerPersonaFactory, ScoringSettingsFactory
from tests.personas.helpers import approved_persona, record_scored
from tests.scopes import deployed

pytestmark = pytest.mark.django_db

OPS = {"industry": "Manufacturing", "company_size": 120, "title": "Head of Operations"}
PRO_PLAN = [{"field": "custom.plan", "operator": "equals", "value": "pro", "weight": 100}]


def stored(lead: Lead) -> Lead:
    return Lead.all_tenants.get(pk=lead.pk)


def engaged(tenant, points: dict, days_ago: float | None = 0, **fields) -> Lead:
    """A lead holding `points` by event type as of `days_ago` (None: no time kept)."""
    at = None if days_ago is None else timezone.now() - timedelta(days=days_ago)
    return LeadFactory(
        tenant=tenant, engagement_raw=sum(points.values()), engagement_at=at,
        score_breakdown={"engagement_points": points}, **fields,
    )  # fmt: skip


# --- custom-field criteria, on every path that scores ------------------------------------


def test_an_upserted_lead_is_fit_by_its_custom_fields(tenant):
    with tenant_scope(tenant):
        persona = approved_persona(tenant, criteria=PRO_PLAN)
        for email, plan in [("pro@x.example", "pro"), ("free@x.example", "free")]:
            clean, errors = clean_lead({"email": email, "custom_fields": {"plan": plan}})
            assert not errors
            lead_services.lead_upsert(tenant=tenant, actor=Actor.system(), data=clean)
    fits = dict(Lead.all_tenants.values_list("email", "fit_score"))
    assert fits == {"pro@x.example": 100, "free@x.example": 0}
    assert Lead.all_tenants.get(email="pro@x.example").persona_id == persona.pk


def test_rescoring_by_id_reads_the_custom_fields(tenant):
    with tenant_scope(tenant):
        lead = LeadFactory(tenant=tenant, custom_fields={"plan": "pro"})
        approved_persona(tenant, criteria=PRO_PLAN)
        leads_rescore(tenant_id=tenant.pk, lead_ids=[lead.pk])
    assert stored(lead).fit_score == 100


def test_new_events_keep_a_custom_field_fit(tenant):
    with tenant_scope(tenant):
        lead = LeadFactory(tenant=tenant, custom_fields={"plan": "pro"})
        approved_persona(tenant, criteria=PRO_PLAN)
        leads_engagement_add(
            tenant_id=tenant.pk, events_by_lead={lead.pk: [("webinar", timezone.now())]}
        )
    lead = stored(lead)
    assert (lead.fit_score, lead.engagement_score) == (100, 39)


def test_a_rescore_job_reads_the_custom_fields(tenant):
    lead = LeadFactory(tenant=tenant, custom_fields={"plan": "pro"})
    approved_persona(tenant, criteria=PRO_PLAN)
    with tenant_scope(tenant):
        job = RescoreJob.objects.create(tenant=tenant, reason="test", total=1)
        services.rescore_job_run(job_id=job.pk)
    assert stored(lead).fit_score == 100


def test_the_decay_sweep_keeps_a_custom_field_fit(tenant):
    persona = approved_persona(tenant, criteria=PRO_PLAN)
    lead = engaged(tenant, {"webinar": 16.0}, days_ago=14, custom_fields={"plan": "pro"},
                   fit_score=100, persona_id=persona.pk, persona_version=1)  # fmt: skip
    deployed(services.decay_sweep)()
    lead = stored(lead)
    assert lead.engagement_raw == pytest.approx(8.0, rel=1e-3)
    assert (lead.fit_score, lead.persona_id) == (100, persona.pk)


def test_custom_fields_are_read_only_when_asked_for(tenant):
    lead = LeadFactory(tenant=tenant, custom_fields={"plan": "pro"})
    with tenant_scope(tenant):
        [without] = scoring_rows(Lead.objects.filter(pk=lead.pk), custom_fields=False)
        [with_them] = scoring_rows(Lead.objects.filter(pk=lead.pk), custom_fields=True)
    assert without[CUSTOM] is None
    assert json.loads(with_them[CUSTOM]) == {"plan": "pro"}


# --- stored points: by type, their floor, points kept without a time ---------------------


def test_points_kept_without_a_time_are_taken_as_they_are(tenant):
    lead = engaged(tenant, {"webinar": 0.001, "download": 0.0}, days_ago=None)
    with tenant_scope(tenant):
        leads_rescore(tenant_id=tenant.pk, lead_ids=[lead.pk])
    lead = stored(lead)
    assert lead.engagement_raw == 0.001  # exactly the floor: kept
    assert lead.score_breakdown["engagement_points"] == {"webinar": 0.001}


def test_decayed_points_keep_their_types_and_drop_types_at_zero(tenant):
    lead = engaged(tenant, {"webinar": 0.6, "download": 0.0}, days_ago=14)
    with tenant_scope(tenant):
        leads_rescore(tenant_id=tenant.pk, lead_ids=[lead.pk])
    lead = stored(lead)
    assert lead.score_breakdown["engagement_points"] == {"webinar": pytest.approx(0.3, rel=1e-4)}
    assert lead.engagement_raw == pytest.approx(0.3, rel=1e-4)


@pytest.mark.parametrize("kept", [{}, None, [1, 2]])
def test_points_kept_before_they_were_split_by_type_count_as_other(tenant, kept):
    breakdown = {} if kept is None else {"engagement_points": kept}
    lead = LeadFactory(
        tenant=tenant, engagement_raw=10.0, engagement_at=timezone.now(), score_breakdown=breakdown
    )
    with tenant_scope(tenant):
        leads_rescore(tenant_id=tenant.pk, lead_ids=[lead.pk])
    lead = stored(lead)
    assert lead.score_breakdown["engagement_points"] == {"other": pytest.approx(10.0, rel=1e-5)}
    assert lead.engagement_score == 28  # 100 * (1 - e^(-10/30))


def test_events_of_a_type_weighing_nothing_add_no_points(tenant):
    ScoringSettingsFactory(tenant=tenant, engagement_weights={"page_view": 0.0})
    lead = LeadFactory(tenant=tenant)
    now = timezone.now()
    with tenant_scope(tenant):
        leads_engagement_add(
            tenant_id=tenant.pk,
            events_by_lead={lead.pk: [("page_view", now), ("fax", now), ("webinar", now)]},
        )
    lead = stored(lead)
    assert lead.score_breakdown["engagement_points"] == {"webinar": pytest.approx(15.0)}
    assert lead.engagement_raw == pytest.approx(15.0)


def test_a_recount_skips_types_weighing_nothing_and_events_past_the_horizon(
    tenant, member, django_capture_on_commit_callbacks
):
    from smarketing.tenancy.roles import Role

    lead = LeadFactory(tenant=tenant)
    now = timezone.now()
    recent = now - timedelta(days=3)
    for kind, at in [("webinar", recent), ("page_view", recent), ("fax", recent),
                     ("email_open", recent),
                     ("download", now - timedelta(days=7 * 20 + 1)),
                     ("download", now - timedelta(days=7 * 19))]:  # fmt: skip
        LeadEventFactory(lead=lead, type=kind, occurred_at=at)
    manager = Actor.member(member(tenant, Role.MANAGER), Role.MANAGER)
    with tenant_scope(tenant), django_capture_on_commit_callbacks(execute=True):
        services.scoring_settings_update(
            tenant=tenant, actor=manager,
            data={"engagement_weights": {"page_view": 0}, "half_life_days": 7},
        )  # fmt: skip
    lead = stored(lead)
    points = lead.score_breakdown["engagement_points"]
    assert set(points) == {"webinar", "email_open", "download"}
    at = lead.engagement_at
    assert points["webinar"] == pytest.approx(
        decay_raw(15.0, (at - recent) / timedelta(days=1), 7.0), rel=1e-6
    )
    # Only the download inside 20 half-lives counts: 6 points halved 19 times.
    assert points["download"] == pytest.approx(6.0 / 2**19, rel=1e-3)


# --- leads with nothing to score ----------------------------------------------------------


def stale_leads(tenant) -> dict[str, Lead]:
    """Without an approved persona: leads each holding one thing left from earlier scoring."""
    persona = BuyerPersonaFactory(tenant=tenant)  # a draft: nobody approved it
    return {
        "persona": LeadFactory(tenant=tenant, persona_id=persona.pk, persona_version=1),
        "fit": LeadFactory(tenant=tenant, fit_score=1),
        "score": LeadFactory(tenant=tenant, score=1),
        "engagement": engaged(tenant, {"webinar": 0.5}),
    }


def assert_brought_to_what_they_hold_now(made: dict[str, Lead]) -> None:
    now = {name: stored(lead) for name, lead in made.items()}
    assert [(lead.persona_id, lead.fit_score) for lead in now.values()] == [(None, 0)] * 4
    assert now["score"].score == 0
    # 0.5 points: engagement 2, score 1 (it was 0).
    assert (now["engagement"].engagement_score, now["engagement"].score) == (2, 1)


def test_without_personas_leads_holding_any_score_are_read_and_brought_back(tenant):
    made = stale_leads(tenant)
    nothing = LeadFactory(tenant=tenant)
    with tenant_scope(tenant):
        leads_rescore(tenant_id=tenant.pk, lead_ids=[lead.pk for lead in made.values()])
        with CaptureQueriesContext(connection) as queries:
            outcome = leads_rescore(tenant_id=tenant.pk, lead_ids=[nothing.pk])
    assert_brought_to_what_they_hold_now(made)
    assert outcome == scoring.ScoreOutcome(0, 0)
    assert not [q for q in queries.captured_queries if q["sql"].startswith("UPDATE")]


def test_without_personas_held_leads_holding_any_score_are_brought_back(tenant):
    made = stale_leads(tenant)
    nothing = LeadFactory(tenant=tenant)
    held = list(Lead.all_tenants.filter(pk__in=[lead.pk for lead in made.values()]))
    with tenant_scope(tenant):
        leads_rescore(tenant_id=tenant.pk, lead_ids=[lead.pk for lead in held], written=held)
        with CaptureQueriesContext(connection) as queries:
            outcome = leads_rescore(tenant_id=tenant.pk, lead_ids=[nothing.pk], written=[nothing])
    assert_brought_to_what_they_hold_now(made)
    assert outcome == scoring.ScoreOutcome(0, 0)
    assert not [q for q in queries.captured_queries if '"leads_lead"' in q["sql"]]


# --- instances the caller holds -----------------------------------------------------------


def test_held_leads_get_their_new_scores_as_a_read_would_show_them(tenant, monkeypatch):
    approved_persona(tenant)
    plain = LeadFactory(tenant=tenant, **OPS)
    active = engaged(tenant, {"webinar": 10.0}, days_ago=3, **OPS)
    other = LeadFactory(tenant=tenant, **OPS)  # not held: handed out as read
    held = [Lead.all_tenants.get(pk=plain.pk), Lead.all_tenants.get(pk=active.pk)]
    scored = record_scored(monkeypatch)
    with tenant_scope(tenant):
        leads_rescore(tenant_id=tenant.pk, lead_ids=[plain.pk, active.pk, other.pk], written=held)
    [(items, handed)] = scored
    assert [item["lead_id"] for item in items] == [plain.pk, active.pk, other.pk]
    assert handed[0] is held[0] and handed[1] is held[1]
    assert handed[2].pk == other.pk and handed[2].fit_score == 90
    for lead in held:
        read = stored(lead)
        assert (lead.score, lead.fit_score, lead.engagement_score, lead.persona_id) == (
            read.score, read.fit_score, read.engagement_score, read.persona_id,
        )  # fmt: skip
        assert lead.engagement_raw == pytest.approx(read.engagement_raw, rel=1e-12)
        assert json.dumps(lead.score_breakdown, sort_keys=True) == json.dumps(
            read.score_breakdown, sort_keys=True
        )
    assert held[0].score_breakdown["engagement_raw"] == 0
    assert list(stored(active).score_breakdown["engagement_points"]) == ["webinar"]  # by type
    assert held[1].score_breakdown["engagement_raw"] == pytest.approx(10.0 * 0.5 ** (3 / 14))


def test_a_recount_reads_the_events_of_the_leads_asked_for_only(tenant):
    asked, other = LeadFactory(tenant=tenant), LeadFactory(tenant=tenant)
    now = timezone.now()
    for lead in (asked, other):
        LeadEventFactory(lead=lead, type="webinar", occurred_at=now)
    with tenant_scope(tenant):
        points = scoring.event_points([asked.pk], EngagementConfig.default(), now)
    assert points == {asked.pk: {"webinar": 15.0}}


def test_the_write_per_lead_stores_what_the_batch_write_stores(tenant):
    from personas.services.score_store import write_each, write_scores

    approved_persona(tenant)
    points, at = {"webinar": 10.0, "download": 2.5}, timezone.now() - timedelta(days=3)
    twins = [
        LeadFactory(tenant=tenant, engagement_raw=12.5, engagement_at=at,
                    score_breakdown={"engagement_points": points}, **OPS)
        for _ in "ab"
    ]  # fmt: skip
    with tenant_scope(tenant):
        ctx = scoring.scoring_context_for(tenant_id=tenant.pk)
        rows = scoring_rows(Lead.objects.filter(pk__in=[t.pk for t in twins]), custom_fields=False)
        first, second = scoring.score_rows(rows, ctx, timezone.now())
        assert write_scores([first]) == {first.id}
        assert write_each([second]) == {second.id}
    fields = ("score", "fit_score", "engagement_score", "engagement_raw", "engagement_at",
              "persona_id", "persona_version", "score_breakdown")  # fmt: skip
    a, b = (Lead.all_tenants.values(*fields).get(pk=lead.pk) for lead in twins)
    assert a == b
    assert (a["fit_score"], a["persona_version"]) == (90, 1)
    assert a["score_breakdown"]["engagement_points"]["download"] == pytest.approx(
        2.5 * 0.5 ** (3 / 14), rel=1e-6
    )


def test_the_background_writer_writes_at_once_without_its_helper_thread(tenant):
    from personas.services.score_store import BackgroundWriter

    approved_persona(tenant)
    made = [LeadFactory(tenant=tenant, **OPS) for _ in range(2)]
    with tenant_scope(tenant), transaction.atomic(), BackgroundWriter(threaded=False) as writer:
        ctx = scoring.scoring_context_for(tenant_id=tenant.pk)
        rows = scoring_rows(Lead.objects.filter(pk__in=[x.pk for x in made]), custom_fields=False)
        assert writer.start(scoring.score_rows(rows, ctx, timezone.now())).result() == {
            x.pk for x in made
        }
    assert [stored(x).fit_score for x in made] == [90, 90]
