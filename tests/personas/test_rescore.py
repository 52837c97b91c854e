"""Re-scoring a tenant in the background: batches, progress, resuming, superseding."""

from datetime import timedelta

import pytest
from django.utils import timezone

from leads.models import Lead
from personas import services
from personas.models import RescoreJob
from personas.scoring import EngagementConfig, engagement_score
from personas.services.score_store import BackgroundWriter, scoring_rows
from personas.services.scoring import leads_score, scoring_context_for
from smarketing.tenancy.actors import Actor
from smarketing.tenancy.roles import Role
from smarketing.tenancy.scope import tenant_scope
from tests.leads.factories import LeadEventFactory, LeadFactory
from tests.personas.factories import BuyerPersonaFactory, PersonaApprovalFactory
from tests.personas.helpers import approved_persona, record_scored

pytestmark = pytest.mark.django_db

OPS = {"industry": "Manufacturing", "company_size": 120, "title": "COO", "country": "IT"}


def leads(tenant, matching: int, other: int) -> list[Lead]:
    made = [LeadFactory(tenant=tenant, **OPS) for _ in range(matching)]
    return made + [LeadFactory(tenant=tenant, industry="Retail") for _ in range(other)]


def queue(tenant, **kwargs) -> RescoreJob:
    return services.rescore_job_queue(tenant_id=tenant.pk, reason="test", **kwargs)


def test_approval_queues_a_job_that_rescores_every_lead(
    tenant, member, django_capture_on_commit_callbacks
):
    made = leads(tenant, matching=4, other=3)
    persona = BuyerPersonaFactory(tenant=tenant)
    version = persona.versions.model.all_tenants.get(persona=persona)
    PersonaApprovalFactory(version=version, side="marketing", user=member(tenant, Role.MARKETER))
    rep = Actor.member(member(tenant, Role.SALES_REP), Role.SALES_REP)
    with tenant_scope(tenant), django_capture_on_commit_callbacks(execute=True):
        services.persona_approve(persona=persona, actor=rep)

    job = RescoreJob.all_tenants.get()
    assert (job.status, job.total, job.done, job.changed) == ("done", 7, 7, 4)
    assert job.reason.endswith("v1 approved")
    assert job.started_at <= job.finished_at
    fits = {lead.pk: lead.fit_score for lead in Lead.all_tenants.all()}
    assert [fits[lead.pk] for lead in made] == [100] * 4 + [0] * 3


def test_a_job_walks_the_leads_in_batches_and_records_progress(tenant, monkeypatch):
    approved_persona(tenant)
    made = leads(tenant, matching=5, other=2)
    scored = record_scored(monkeypatch)
    with tenant_scope(tenant):
        job = RescoreJob.objects.create(tenant=tenant, reason="test", total=7)
        job, finished = services.rescore_job_run(job_id=job.pk, batch_size=3)
    assert finished
    assert (job.status, job.done, job.last_lead_id) == ("done", 7, made[-1].pk)
    assert [len(items) for items, _ in scored] == [3, 2]  # one announcement per batch
    assert [[x.pk for x in handed] for _, handed in scored] == [
        [lead.pk for lead in made[:3]], [lead.pk for lead in made[3:5]],
    ]  # fmt: skip
    assert {item["previous_score"] for items, _ in scored for item in items} == {0}


def test_a_job_resumes_after_the_last_finished_batch(tenant):
    approved_persona(tenant)
    made = leads(tenant, matching=6, other=0)
    with tenant_scope(tenant):
        job = RescoreJob.objects.create(
            tenant=tenant, reason="test", status="running", total=6, done=3,
            last_lead_id=made[2].pk,
        )  # fmt: skip
        job, _ = services.rescore_job_run(job_id=job.pk, batch_size=2)
    assert (job.status, job.done) == ("done", 6)
    fits = [Lead.all_tenants.get(pk=lead.pk).fit_score for lead in made]
    assert fits == [0, 0, 0, 100, 100, 100]


def test_a_finished_job_runs_no_more(tenant):
    approved_persona(tenant)
    lead = LeadFactory(tenant=tenant, **OPS)
    with tenant_scope(tenant):
        job = RescoreJob.objects.create(tenant=tenant, reason="test", status="done")
        services.rescore_job_run(job_id=job.pk)
    lead.refresh_from_db()
    assert lead.fit_score == 0


def test_a_newer_job_supersedes_an_open_one(tenant):
    approved_persona(tenant)
    lead = LeadFactory(tenant=tenant, **OPS)
    with tenant_scope(tenant):
        closed = RescoreJob.objects.create(tenant=tenant, reason="test", status="done")
        older = queue(tenant, recompute_engagement=True)
        newer = queue(tenant)
        _, finished = services.rescore_job_run(job_id=older.pk)
    assert finished  # nothing left for it to do: no hand-over
    older.refresh_from_db()
    newer.refresh_from_db()
    lead.refresh_from_db()
    assert (older.status, older.done, lead.fit_score) == ("superseded", 0, 0)
    assert older.finished_at is not None
    assert newer.status == "queued"
    assert newer.recompute_engagement  # it takes over the older job's recount
    closed.refresh_from_db()
    assert (closed.status, closed.finished_at) == ("done", None)  # closed jobs stay so


def test_a_job_out_of_time_hands_over_to_a_fresh_task(tenant, monkeypatch):
    from personas import tasks

    approved_persona(tenant)
    leads(tenant, matching=5, other=0)
    run_for_one_batch = services.rescore_job_run
    progress_per_run = []

    def out_of_time_after_one_batch(*, job_id):
        # Every task runs out of time after one batch: only hand-overs can finish the job.
        job, finished = run_for_one_batch(job_id=job_id, batch_size=2, time_budget=0)
        progress_per_run.append(job.done)
        return job, finished

    monkeypatch.setattr(services, "rescore_job_run", out_of_time_after_one_batch)
    with tenant_scope(tenant):
        job = RescoreJob.objects.create(tenant=tenant, reason="test", total=5)
    tasks.rescore_job_run_task.delay(tenant.pk, job.pk)  # eager: hand-overs run in turn

    job.refresh_from_db()
    assert (job.status, job.done) == ("done", 5)
    assert progress_per_run == [2, 4, 5]  # one batch per task, each resuming the last


def test_a_failing_job_records_its_error(tenant, monkeypatch):
    import personas.services.rescore as rescore

    def broken(*args, **kwargs):
        raise RuntimeError("scoring exploded")

    LeadFactory(tenant=tenant)
    monkeypatch.setattr(rescore, "score_rows", broken)
    with tenant_scope(tenant):
        job = RescoreJob.objects.create(tenant=tenant, reason="test")
        with pytest.raises(RuntimeError):
            services.rescore_job_run(job_id=job.pk)
    job.refresh_from_db()
    assert (job.status, job.error) == ("failed", "scoring exploded")


def test_new_engagement_weights_recount_engagement_from_the_events(
    tenant, member, django_capture_on_commit_callbacks
):
    lead = LeadFactory(tenant=tenant)
    now = timezone.now()
    event = LeadEventFactory(lead=lead, type="webinar", occurred_at=now - timedelta(days=7))
    manager = Actor.member(member(tenant, Role.MANAGER), Role.MANAGER)
    with tenant_scope(tenant), django_capture_on_commit_callbacks(execute=True):
        services.scoring_settings_update(
            tenant=tenant, actor=manager,
            data={"engagement_weights": {"webinar": 40}, "half_life_days": 7},
        )  # fmt: skip
    lead.refresh_from_db()
    config = EngagementConfig(
        weights={**EngagementConfig.default().weights, "webinar": 40.0},
        half_life_days=7.0,
        saturation=30.0,
    )
    expected = engagement_score([(event.type, event.occurred_at)], lead.engagement_at, config)
    assert lead.engagement_raw == pytest.approx(20.0, rel=1e-4)  # 40 points, one half-life
    assert lead.engagement_score == expected.score > 0
    assert lead.score_breakdown["weights"] == {"fit": 0.6, "engagement": 0.4}


def test_changed_blend_weights_rescore_without_recounting(
    tenant, member, django_capture_on_commit_callbacks
):
    approved_persona(tenant)
    lead = LeadFactory(tenant=tenant, **OPS)
    manager = Actor.member(member(tenant, Role.ADMIN), Role.ADMIN)
    with tenant_scope(tenant), django_capture_on_commit_callbacks(execute=True):
        _, job = services.scoring_settings_update(
            tenant=tenant, actor=manager, data={"fit_weight": 1, "engagement_weight": 0}
        )
    lead.refresh_from_db()
    assert not job.recompute_engagement
    assert (lead.fit_score, lead.score) == (100, 100)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_lead_changed_after_it_was_read_is_read_again_not_overwritten(tenant):
    approved_persona(tenant)
    lead = LeadFactory(tenant=tenant, **OPS)
    now = timezone.now()
    with tenant_scope(tenant):
        stale = scoring_rows(Lead.objects.filter(pk=lead.pk), custom_fields=False)
        # Meanwhile another transaction gave the lead engagement points.
        Lead.objects.filter(pk=lead.pk).update(
            engagement_raw=15.0, engagement_at=now,
            score_breakdown={"engagement_points": {"webinar": 15.0}},
        )  # fmt: skip
        ctx = scoring_context_for(tenant_id=tenant.pk)
        outcome = leads_score(tenant_id=tenant.pk, rows=stale, ctx=ctx, now=now)
    lead.refresh_from_db()
    assert outcome.written == 1
    assert lead.engagement_at == now  # scored as of the time given
    assert lead.engagement_raw == pytest.approx(15.0)
    assert lead.engagement_score > 0
    assert lead.fit_score == 100


def test_a_finished_or_missing_job_reports_finished_so_no_task_hands_over(tenant):
    with tenant_scope(tenant):
        job = RescoreJob.objects.create(tenant=tenant, reason="test", status="done")
        assert services.rescore_job_run(job_id=job.pk) == (job, True)
        assert services.rescore_job_run(job_id=job.pk + 1000) == (None, True)


def test_a_job_records_who_asked_for_it_and_a_reason_of_at_most_200_characters(tenant, member):
    manager = Actor.member(member(tenant, Role.MANAGER), Role.MANAGER)
    with tenant_scope(tenant):
        job = queue(tenant, actor=manager)
        long = services.rescore_job_queue(tenant_id=tenant.pk, reason="x" * 250)
    assert job.requested_by == manager.user
    assert long.requested_by is None
    long.refresh_from_db()
    assert long.reason == "x" * 200
    assert not job.recompute_engagement


def test_a_resumed_job_keeps_the_time_it_first_started(tenant):
    approved_persona(tenant)
    leads(tenant, matching=2, other=0)
    started = timezone.now() - timedelta(minutes=5)
    with tenant_scope(tenant):
        job = RescoreJob.objects.create(
            tenant=tenant, reason="test", status="running", total=2, started_at=started
        )
        job, _ = services.rescore_job_run(job_id=job.pk)
    assert job.started_at == started
    assert job.finished_at > started


def test_a_failing_jobs_error_is_kept_to_2000_characters_with_the_time_it_stopped(
    tenant, monkeypatch
):
    import personas.services.rescore as rescore

    def broken(*args, **kwargs):
        raise RuntimeError("e" * 3000)

    LeadFactory(tenant=tenant)
    monkeypatch.setattr(rescore, "score_rows", broken)
    with tenant_scope(tenant):
        job = RescoreJob.objects.create(tenant=tenant, reason="test")
        with pytest.raises(RuntimeError):
            services.rescore_job_run(job_id=job.pk)
    job.refresh_from_db()
    assert (job.status, job.error) == ("failed", "e" * 2000)
    assert job.finished_at is not None


def test_leads_created_after_the_job_was_queued_count_in_its_total(tenant):
    approved_persona(tenant)
    leads(tenant, matching=3, other=0)
    with tenant_scope(tenant):
        job = RescoreJob.objects.create(tenant=tenant, reason="test", total=2)
        job, _ = services.rescore_job_run(job_id=job.pk, batch_size=2)
    assert (job.done, job.total) == (3, 3)
    job.refresh_from_db()
    assert (job.status, job.done, job.total) == ("done", 3, 3)


def test_a_job_superseded_while_it_runs_stops_after_the_current_batch(tenant, monkeypatch):
    import personas.services.rescore as rescore

    approved_persona(tenant)
    made = leads(tenant, matching=4, other=0)
    settle = rescore.settle

    def superseded_once_the_first_batch_is_written(**kwargs):
        newer.append(queue(tenant))
        # Another worker picks the newer job up at once.
        RescoreJob.objects.filter(pk=newer[0].pk).update(status="running")
        return settle(**kwargs)

    newer = []

    monkeypatch.setattr(rescore, "settle", superseded_once_the_first_batch_is_written)
    with tenant_scope(tenant):
        job = RescoreJob.objects.create(tenant=tenant, reason="test", total=4)
        job, finished = services.rescore_job_run(job_id=job.pk, batch_size=2)
    assert finished  # the newer job does the rest: no hand-over
    assert (job.status, job.done, job.last_lead_id) == ("superseded", 0, 0)
    fits = [Lead.all_tenants.get(pk=lead.pk).fit_score for lead in made]
    assert fits == [100, 100, 0, 0]
    newer[0].refresh_from_db()
    assert (newer[0].status, newer[0].done, newer[0].last_lead_id) == ("running", 0, 0)


def engaged(tenant, points: float) -> Lead:
    """A lead holding `points` webinar points as of now."""
    return LeadFactory(
        tenant=tenant, engagement_raw=points, engagement_at=timezone.now(),
        score_breakdown={"engagement_points": {"webinar": points}},
    )  # fmt: skip


def test_a_recounting_job_recounts_every_batch_from_the_events(tenant):
    made = [engaged(tenant, 50.0) for _ in range(3)]
    for lead in made:
        LeadEventFactory(lead=lead, type="webinar", occurred_at=timezone.now() - timedelta(days=14))
    with tenant_scope(tenant):
        job = queue(tenant, recompute_engagement=True)
        job, finished = services.rescore_job_run(job_id=job.pk, batch_size=2)
    assert finished
    raws = [Lead.all_tenants.get(pk=lead.pk).engagement_raw for lead in made]
    assert raws == [pytest.approx(7.5, rel=1e-6)] * 3  # 15 points, one half-life


def test_a_job_that_does_not_recount_keeps_the_stored_points(tenant):
    made = [engaged(tenant, 20.0) for _ in range(3)]  # points without events: kept as stored
    with tenant_scope(tenant):
        job = queue(tenant)
        services.rescore_job_run(job_id=job.pk, batch_size=2)
    for lead in made:
        lead.refresh_from_db()
        assert lead.engagement_raw == pytest.approx(20.0, rel=1e-6)
        assert lead.engagement_score == 49  # 100 * (1 - e^(-20/30))


def test_a_job_superseded_just_as_it_is_picked_up_is_not_resumed(tenant, monkeypatch):
    import personas.services.rescore as rescore

    approved_persona(tenant)
    leads(tenant, matching=2, other=0)
    with tenant_scope(tenant):
        job = RescoreJob.objects.create(tenant=tenant, reason="test", total=2)
    real_now, newer, reads = timezone.now, [], []

    class SupersededOnTheFirstClockRead:
        @staticmethod
        def now():
            reads.append(1)
            if len(reads) == 1:  # read right after the job was found open
                newer.append(queue(tenant))
            return real_now()

    monkeypatch.setattr(rescore, "timezone", SupersededOnTheFirstClockRead)
    with tenant_scope(tenant):
        job, finished = services.rescore_job_run(job_id=job.pk)
    assert finished
    assert (job.status, job.done) == ("superseded", 0)
    newer[0].refresh_from_db()
    assert newer[0].status == "queued"


def test_a_job_superseded_after_its_last_batch_is_not_marked_done(tenant, monkeypatch):
    approved_persona(tenant)
    leads(tenant, matching=2, other=0)
    close, newer = BackgroundWriter.close, []

    def superseded_before_it_is_marked_done(self):
        newer.append(queue(tenant))
        RescoreJob.objects.filter(pk=newer[0].pk).update(status="running")  # picked up
        close(self)

    monkeypatch.setattr(BackgroundWriter, "close", superseded_before_it_is_marked_done)
    with tenant_scope(tenant):
        job = RescoreJob.objects.create(tenant=tenant, reason="test", total=2)
        job, _ = services.rescore_job_run(job_id=job.pk)
    assert (job.status, job.done) == ("superseded", 2)
    newer[0].refresh_from_db()
    assert newer[0].status == "running"
