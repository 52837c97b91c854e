"""Leads someone else changed between the read and the write are read and scored again, up
to four attempts in all, the last one under a row lock; what was being added is kept."""

from concurrent.futures import Future
from datetime import timedelta

import pytest
from django.utils import timezone

import personas.services.scoring as scoring
from leads.models import Lead
from personas import services
from personas.models import RescoreJob
from personas.services import leads_engagement_add
from personas.services.score_store import BackgroundWriter
from smarketing.tenancy.scope import tenant_scope
from tests.leads.factories import LeadEventFactory, LeadFactory
from tests.personas.helpers import approved_persona, record_scored
from tests.scopes import deployed

pytestmark = pytest.mark.django_db

OPS = {"industry": "Manufacturing", "company_size": 120, "title": "COO", "country": "IT"}


@pytest.fixture
def writes_missed(monkeypatch):
    """writes_missed(n): the next n batch writes find every row changed by someone else.
    Returns the lock flag of each read for scoring, in order."""
    locks: list[bool] = []
    read, write = scoring.scoring_rows, scoring.write_scores

    def recording_read(queryset, **kwargs):
        locks.append(kwargs.get("lock", False))
        return read(queryset, **kwargs)

    def arm(n: int) -> list[bool]:
        left = [n]

        def missing_write(scored):
            if left[0] > 0:
                left[0] -= 1
                return set()
            return write(scored)

        monkeypatch.setattr(scoring, "write_scores", missing_write)
        monkeypatch.setattr(scoring, "scoring_rows", recording_read)
        return locks

    return arm


def test_a_lead_changed_three_times_is_written_on_the_last_attempt_under_a_lock(
    tenant, writes_missed, monkeypatch
):
    approved_persona(tenant)
    lead = LeadFactory(tenant=tenant, **OPS)
    locks = writes_missed(3)
    scored = record_scored(monkeypatch)
    with tenant_scope(tenant):
        outcome = leads_engagement_add(
            tenant_id=tenant.pk, events_by_lead={lead.pk: [("webinar", timezone.now())]}
        )
    assert locks == [False, False, False, True]  # the first read, then three attempts
    assert (outcome.written, outcome.rescored) == (1, 1)
    lead.refresh_from_db()
    assert (lead.fit_score, lead.engagement_score) == (100, 39)  # the webinar was kept
    [(items, leads)] = scored
    assert items == [{"lead_id": lead.pk, "score": lead.score, "previous_score": 0}]
    assert [x.pk for x in leads] == [lead.pk]


def test_after_four_attempts_a_lead_that_cannot_be_written_is_left(tenant, writes_missed):
    approved_persona(tenant)
    lead = LeadFactory(tenant=tenant, **OPS)
    locks = writes_missed(4)
    with tenant_scope(tenant):
        outcome = leads_engagement_add(
            tenant_id=tenant.pk, events_by_lead={lead.pk: [("webinar", timezone.now())]}
        )
    assert locks == [False, False, False, True]
    assert (outcome.written, outcome.rescored) == (0, 0)
    lead.refresh_from_db()
    assert lead.fit_score == 0


def test_only_the_leads_that_missed_are_read_again_and_each_is_announced_once(
    tenant, writes_missed, monkeypatch
):
    approved_persona(tenant)
    first, second = (LeadFactory(tenant=tenant, **OPS) for _ in range(2))
    write = scoring.write_scores
    writes_missed(0)
    missed_once = {second.pk}
    reads = []
    read = scoring.scoring_rows

    def second_lead_missed_once(scored):
        written = write(scored)
        if missed_once & written:
            written -= missed_once
            missed_once.clear()
        return written

    def recording_read(queryset, **kwargs):
        rows = read(queryset, **kwargs)
        reads.append([row[0] for row in rows])
        return rows

    monkeypatch.setattr(scoring, "write_scores", second_lead_missed_once)
    monkeypatch.setattr(scoring, "scoring_rows", recording_read)
    scored = record_scored(monkeypatch)
    with tenant_scope(tenant):
        outcome = leads_engagement_add(
            tenant_id=tenant.pk,
            events_by_lead={lead.pk: [("webinar", timezone.now())] for lead in (first, second)},
        )
    assert reads == [[first.pk, second.pk], [second.pk]]
    assert (outcome.written, outcome.rescored) == (2, 2)
    [(items, _)] = scored
    assert [item["lead_id"] for item in items] == [first.pk, second.pk]


def test_the_sweep_writes_on_a_second_attempt_only_the_leads_whose_scores_move(
    tenant, writes_missed
):
    moving = LeadFactory(
        tenant=tenant, engagement_raw=30.0, engagement_at=timezone.now() - timedelta(days=28),
        score_breakdown={"engagement_points": {"webinar": 30.0}}, engagement_score=63, score=25,
    )  # fmt: skip
    LeadFactory(
        tenant=tenant, engagement_raw=30.0, engagement_at=timezone.now(),
        score_breakdown={"engagement_points": {"webinar": 30.0}}, engagement_score=63, score=25,
    )  # fmt: skip
    writes_missed(1)
    summary = deployed(services.decay_sweep)()
    assert (summary["written"], summary["rescored"]) == (1, 1)
    moving.refresh_from_db()
    assert moving.engagement_score == 22


@pytest.fixture
def job_writes_missed(monkeypatch):
    """The re-score job's first batch write finds every row changed by someone else."""
    started = []

    def nothing_written(self, scored):
        started.append(len(scored))
        done: Future = Future()
        done.set_result(set())
        return done

    monkeypatch.setattr(BackgroundWriter, "start", nothing_written)
    return started


def test_a_recounting_job_recounts_the_leads_it_reads_again(tenant, job_writes_missed):
    lead = LeadFactory(
        tenant=tenant, engagement_raw=50.0, engagement_at=timezone.now(),
        score_breakdown={"engagement_points": {"webinar": 50.0}},
    )  # fmt: skip
    LeadEventFactory(lead=lead, type="webinar", occurred_at=timezone.now() - timedelta(days=14))
    with tenant_scope(tenant):
        job = RescoreJob.objects.create(tenant=tenant, reason="test", recompute_engagement=True)
        job, finished = services.rescore_job_run(job_id=job.pk)
    assert finished and job_writes_missed == [1]
    lead.refresh_from_db()
    assert lead.engagement_raw == pytest.approx(7.5, rel=1e-6)
    assert job.done == 1


def test_a_job_that_does_not_recount_keeps_the_points_of_leads_it_reads_again(
    tenant, job_writes_missed
):
    approved_persona(tenant)
    lead = LeadFactory(
        tenant=tenant, engagement_raw=20.0, engagement_at=timezone.now(),
        score_breakdown={"engagement_points": {"webinar": 20.0}}, **OPS,
    )  # fmt: skip
    with tenant_scope(tenant):
        job = RescoreJob.objects.create(tenant=tenant, reason="test")
        job, _ = services.rescore_job_run(job_id=job.pk)
    lead = Lead.all_tenants.get(pk=lead.pk)
    assert lead.engagement_raw == pytest.approx(20.0, rel=1e-6)
    assert (lead.fit_score, lead.engagement_score) == (100, 49)
    assert job.changed == 1


def test_a_jobs_batch_is_written_in_one_go_without_reading_a_lead_twice(tenant, monkeypatch):
    approved_persona(tenant)
    made = [LeadFactory(tenant=tenant, **OPS) for _ in range(3)]
    reads = []
    read = scoring.scoring_rows

    def recording_read(queryset, **kwargs):  # the reads of leads that missed their write
        reads.append(kwargs)
        return read(queryset, **kwargs)

    monkeypatch.setattr(scoring, "scoring_rows", recording_read)
    with tenant_scope(tenant):
        job = RescoreJob.objects.create(tenant=tenant, reason="test", total=3)
        job, _ = services.rescore_job_run(job_id=job.pk, batch_size=2)
    assert reads == []
    assert (job.done, job.changed) == (3, 3)
    assert {Lead.all_tenants.get(pk=lead.pk).fit_score for lead in made} == {100}


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_points_added_while_a_job_scores_a_batch_are_kept(tenant, monkeypatch):
    import personas.services.rescore as rescore

    approved_persona(tenant)
    made = [LeadFactory(tenant=tenant, **OPS) for _ in range(3)]
    score_rows = rescore.score_rows
    calls = []

    def an_event_arrives_meanwhile(rows, *args, **kwargs):
        if not calls:  # the first batch was read; another transaction scores an event
            Lead.all_tenants.filter(pk=made[1].pk).update(
                engagement_raw=15.0, engagement_at=timezone.now(),
                score_breakdown={"engagement_points": {"webinar": 15.0}},
            )  # fmt: skip
        calls.append(len(rows))
        return score_rows(rows, *args, **kwargs)

    monkeypatch.setattr(rescore, "score_rows", an_event_arrives_meanwhile)
    with tenant_scope(tenant):
        job = RescoreJob.objects.create(tenant=tenant, reason="test", total=3)
        job, finished = services.rescore_job_run(job_id=job.pk, batch_size=2)
    assert finished and job.done == 3
    leads = [Lead.all_tenants.get(pk=lead.pk) for lead in made]
    assert [lead.fit_score for lead in leads] == [100, 100, 100]
    assert leads[1].engagement_raw == pytest.approx(15.0, rel=1e-4)
    assert leads[1].engagement_score == 39
