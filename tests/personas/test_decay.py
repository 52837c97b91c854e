"""Scheduled decay: idle leads' engagement (and score) fall, across tenants."""

from datetime import timedelta

import pytest
from django.utils import timezone

from leads.models import Lead
from personas import tasks
from personas.services import decay_sweep
from personas.services.score_store import COLUMN, POINTS, Scored
from smarketing.celery import app
from tests.leads.factories import LeadFactory
from tests.personas.factories import ScoringSettingsFactory
from tests.personas.helpers import record_scored
from tests.scopes import deployed

decay_sweep = deployed(decay_sweep)

pytestmark = pytest.mark.django_db


def engaged_lead(tenant, points: float, days_ago: float, **fields) -> Lead:
    """A lead as the activity handler leaves it: points as of `days_ago`, scored then."""
    return LeadFactory(
        tenant=tenant,
        engagement_raw=points,
        engagement_at=timezone.now() - timedelta(days=days_ago),
        score_breakdown={"engagement_points": {"webinar": points}},
        **fields,
    )


def test_an_idle_leads_engagement_and_score_fall(tenant, monkeypatch):
    lead = engaged_lead(tenant, 30.0, days_ago=28, engagement_score=63, score=25)
    scored = record_scored(monkeypatch)
    summary = tasks.decay_sweep_task.delay().get()
    lead.refresh_from_db()
    assert lead.engagement_raw == pytest.approx(7.5, rel=1e-3)  # two half-lives
    assert lead.engagement_score == 22  # 100 * (1 - e^(-7.5/30))
    assert lead.score == 9
    assert lead.score_breakdown["engagement_points"]["webinar"] == pytest.approx(7.5, rel=1e-3)
    assert summary == {"leads": 1, "written": 1, "rescored": 1, "tenants": 1}
    [(items, leads)] = scored
    assert items == [{"lead_id": lead.pk, "score": 9, "previous_score": 25}]
    assert [x.pk for x in leads] == [lead.pk]


def test_a_lead_whose_scores_would_not_move_is_left_alone(tenant):
    lead = engaged_lead(tenant, 30.0, days_ago=0.01, engagement_score=63, score=25)
    before = lead.engagement_at
    summary = decay_sweep()
    lead.refresh_from_db()
    assert summary["written"] == 0
    assert lead.engagement_at == before


def test_engagement_below_the_floor_is_zeroed_and_leaves_the_sweep(tenant):
    lead = engaged_lead(tenant, 0.002, days_ago=30)
    assert decay_sweep()["written"] == 1
    lead.refresh_from_db()
    assert (lead.engagement_raw, lead.score_breakdown["engagement_points"]) == (0.0, {})
    assert decay_sweep()["leads"] == 0


def test_each_tenant_decays_with_its_own_half_life(tenant, other_tenant):
    ScoringSettingsFactory(tenant=other_tenant, half_life_days=7.0)
    ours = engaged_lead(tenant, 16.0, days_ago=14)
    theirs = engaged_lead(other_tenant, 16.0, days_ago=14)
    assert decay_sweep(batch_size=1)["tenants"] == 2
    ours.refresh_from_db()
    theirs.refresh_from_db()
    assert ours.engagement_raw == pytest.approx(8.0, rel=1e-3)
    assert theirs.engagement_raw == pytest.approx(4.0, rel=1e-3)


def test_the_sweep_is_on_the_beat_schedule():
    entries = {entry["task"]: entry for entry in app.conf.beat_schedule.values()}
    assert entries["personas.decay_sweep"]["schedule"] == 3600.0
    assert "personas.decay_sweep" in app.tasks


SHOWN = {"score": 25, "fit_score": 40, "engagement_score": 63, "persona_id": 7,
         "persona_version": 2}  # fmt: skip


def scored_as(zeroed=False, **new) -> Scored:
    """A lead read with SHOWN, scored again to SHOWN changed by `new`."""
    row = [None] * (POINTS + 1)
    for name, value in SHOWN.items():
        row[COLUMN[name]] = value
    now = {**SHOWN, **new}
    return Scored(
        tuple(row), score=now["score"], fit=now["fit_score"], eng=now["engagement_score"],
        raw=1.0, at=None, persona_id=now["persona_id"], persona_version=now["persona_version"],
        zeroed=zeroed, fragment=(1, "{}"), contributions="{}", points="{}",
    )  # fmt: skip


@pytest.mark.parametrize(
    "change",
    [
        {"score": 24},
        {"fit_score": 41},
        {"engagement_score": 62},
        {"persona_id": 8},
        {"persona_version": 3},
        {"persona_id": None, "persona_version": None},
        {"zeroed": True},
    ],
)
def test_the_sweep_rewrites_a_lead_when_any_shown_part_moves(change):
    assert scored_as(**change).shows_change()


def test_the_sweep_leaves_a_lead_whose_shown_parts_stay():
    assert not scored_as().shows_change()


def test_the_sweep_walks_every_engaged_lead_from_the_first_id_in_batches(tenant, monkeypatch):
    first = engaged_lead(tenant, 30.0, days_ago=28, id=1, engagement_score=63, score=25)
    others = [engaged_lead(tenant, 30.0, days_ago=28, engagement_score=63) for _ in range(2)]
    LeadFactory(tenant=tenant, score=40)  # no engagement: not the sweep's work
    scored = record_scored(monkeypatch)
    summary = decay_sweep(batch_size=1)
    assert summary == {"leads": 3, "written": 3, "rescored": 3, "tenants": 1}
    assert [[item["lead_id"] for item in items] for items, _ in scored] == [
        [first.pk],
        *[[lead.pk] for lead in others],
    ]
    assert all(x.engagement_score == 22 for x in Lead.all_tenants.filter(engagement_raw__gt=0))
