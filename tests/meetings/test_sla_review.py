"""The SLA review cycle: a review meeting before the review date with an agenda over the
whole period, "Propose a change" drafting the next version, and activation moving the date."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from meetings.models import AgendaItem, Meeting
from meetings.services import sla_reviews_plan
from sla.models import SlaVersion
from sla.services import sla_version_activate, sla_version_sign
from smarketing.tenancy.actors import Actor
from smarketing.tenancy.roles import Role
from smarketing.tenancy.scope import tenant_scope
from tests.leads.factories import LeadFactory, RejectionReasonFactory, StageTransitionFactory
from tests.meetings.factories import MeetingFactory
from tests.sla.factories import SlaVersionFactory

pytestmark = pytest.mark.django_db

ROME = ZoneInfo("Europe/Rome")


@pytest.fixture
def manager(tenant, member):
    return member(tenant, Role.MANAGER, email="boss@acme.example")


@pytest.fixture
def version(tenant, manager):
    return SlaVersionFactory(
        tenant=tenant, active=True, name="2027 H1", review_every_months=3,
        activated_at=datetime(2027, 1, 4, 9, 0, tzinfo=ROME), review_on=date(2027, 4, 4),
        min_acceptance_rate="0.6", monthly_sql_target=30,
    )  # fmt: skip


@pytest.fixture
def api(tenant, manager, api_client_for):
    return api_client_for(tenant, user=manager, role=Role.MANAGER)


def review_of(version) -> Meeting:
    return Meeting.all_tenants.get(kind="sla_review", sla_version=version)


def test_a_review_meeting_is_planned_before_the_review_date_over_the_whole_period(
    version, manager, clock
):
    now = clock.set(datetime(2027, 3, 20, 8, 0, tzinfo=ROME))

    assert sla_reviews_plan(now=now) == 1
    assert sla_reviews_plan(now=now) == 0  # once per version

    meeting = review_of(version)
    assert meeting.scheduled_at == datetime(2027, 3, 28, 10, 0, tzinfo=ROME)  # 7 days before
    assert (meeting.period_start, meeting.period_end) == (date(2027, 1, 4), date(2027, 4, 3))
    assert meeting.title == "SLA review: v2 2027 H1"
    kinds = list(AgendaItem.all_tenants.filter(meeting=meeting).values_list("kind", flat=True))
    assert kinds == ["sla_under_review", "sales_compliance", "breaches", "marketing_comp",
                     "shortfalls", "rejections", "goals"]  # fmt: skip
    attendees = meeting.attendance.model.all_tenants.filter(meeting=meeting)
    assert list(attendees.values_list("user__email", flat=True)) == ["boss@acme.example"]


def test_a_review_far_ahead_is_not_planned_yet(version, clock):
    now = clock.set(datetime(2027, 2, 1, 8, 0, tzinfo=ROME))

    assert sla_reviews_plan(now=now) == 0
    assert not Meeting.all_tenants.filter(kind="sla_review").exists()


def test_the_review_agenda_counts_acceptance_and_rejections_by_reason_over_the_period(
    tenant, version, clock
):
    reason = RejectionReasonFactory(tenant=tenant, code="too_small", label="Company too small")
    in_period = datetime(2027, 2, 10, 12, 0, tzinfo=ROME)
    before_period = datetime(2026, 12, 10, 12, 0, tzinfo=ROME)
    for at, action, code in [
        (in_period, "reject", reason.code),
        (in_period, "reject", reason.code),
        (in_period, "accept", ""),
        (before_period, "reject", reason.code),
    ]:
        StageTransitionFactory(lead=LeadFactory(tenant=tenant), action=action, from_stage="sql",
                               to_stage="recycled" if action == "reject" else "sql",
                               reason_code=code, at=at)  # fmt: skip
    now = clock.set(datetime(2027, 3, 20, 8, 0, tzinfo=ROME))

    sla_reviews_plan(now=now)

    item = AgendaItem.all_tenants.get(meeting=review_of(version), kind="marketing_comp")
    assert (item.figures["accepted"], item.figures["rejected"]) == (1, 2)
    assert item.figures["acceptance_rate"] == pytest.approx(1 / 3, abs=1e-3)
    assert [(r["label"], r["count"]) for r in item.figures["rejection_reasons"]] == [
        ("Company too small", 2)
    ]
    assert "acceptance 33% (at least 60% agreed)" in item.title


def test_proposing_a_change_drafts_the_next_version_linked_to_the_review(api, version, clock):
    now = clock.set(datetime(2027, 3, 20, 8, 0, tzinfo=ROME))
    sla_reviews_plan(now=now)
    meeting = review_of(version)

    response = api.post(f"/api/v1/meetings/{meeting.pk}/propose-sla-change/")
    again = api.post(f"/api/v1/meetings/{meeting.pk}/propose-sla-change/")

    assert response.status_code == 201, response.json()
    body = response.json()
    draft = SlaVersion.all_tenants.get(pk=body["version"])
    assert (draft.status, draft.name) == ("draft", "2027 H1 (proposed 28 Mar 2027)")
    assert draft.monthly_sql_target == 30 and draft.review_every_months == 3
    assert body["changes"] == [
        {"label": "Name", "before": "2027 H1", "after": "2027 H1 (proposed 28 Mar 2027)"}
    ]
    assert again.json()["version"] == draft.pk
    meeting.refresh_from_db()
    assert meeting.proposed_sla_version_id == draft.pk
    detail = api.get(f"/api/v1/meetings/{meeting.pk}/").json()
    assert detail["proposed_sla_version"] == draft.pk and detail["sla_version"] == version.pk


def test_only_a_review_proposes_a_change_and_only_sla_managers_do(
    tenant, api, api_client_for, version, clock
):
    weekly = MeetingFactory(tenant=tenant)
    now = clock.set(datetime(2027, 3, 20, 8, 0, tzinfo=ROME))
    sla_reviews_plan(now=now)
    marketer = api_client_for(tenant, Role.MARKETER)

    not_a_review = api.post(f"/api/v1/meetings/{weekly.pk}/propose-sla-change/")
    not_allowed = marketer.post(f"/api/v1/meetings/{review_of(version).pk}/propose-sla-change/")

    assert (not_a_review.status_code, not_a_review.json()["code"]) == (409, "not_a_review")
    assert not_allowed.status_code == 403


def test_activating_the_proposed_draft_moves_the_review_date_and_plans_the_next_review(
    tenant, api, member, manager, version, clock
):
    now = clock.set(datetime(2027, 3, 20, 8, 0, tzinfo=ROME))
    sla_reviews_plan(now=now)
    draft_id = api.post(f"/api/v1/meetings/{review_of(version).pk}/propose-sla-change/").json()[
        "version"
    ]
    marketer = member(tenant, Role.MARKETER)
    rep = member(tenant, Role.SALES_REP)
    with tenant_scope(tenant):
        draft = SlaVersion.objects.get(pk=draft_id)
        sla_version_sign(version=draft, actor=Actor.member(marketer, Role.MARKETER),
                         side="marketing")  # fmt: skip
        sla_version_sign(version=draft, actor=Actor.member(rep, Role.SALES_REP), side="sales")
        activated_at = datetime(2027, 3, 28, 11, 0, tzinfo=ROME)
        sla_version_activate(version=draft, actor=Actor.member(manager, Role.MANAGER),
                             now=activated_at)  # fmt: skip

    draft.refresh_from_db()
    assert draft.review_on == date(2027, 6, 28)
    assert sla_reviews_plan(now=activated_at) == 0  # not within the horizon yet
    later = clock.set(datetime(2027, 6, 10, 8, 0, tzinfo=ROME))
    assert sla_reviews_plan(now=later) == 1
    assert review_of(draft).scheduled_at == datetime(2027, 6, 21, 10, 0, tzinfo=ROME)
    assert timezone.localtime(review_of(draft).scheduled_at, ROME).hour == 10
    assert timedelta(days=7) == draft.review_on - review_of(draft).scheduled_at.date()


def test_the_review_agenda_scores_the_shared_goals_of_its_months(tenant, version, clock):
    from tests.sla.goals.factories import GoalFactory

    GoalFactory(tenant=tenant, period="2027-02", metric="mqls", target=2)
    GoalFactory(tenant=tenant, period="2027-03", metric="sql_handoffs", target=5)
    GoalFactory(tenant=tenant, period="2026-11", metric="mqls", target=9)  # before the period
    for _ in range(2):
        StageTransitionFactory(lead=LeadFactory(tenant=tenant), to_stage="mql",
                               at=datetime(2027, 2, 10, 12, 0, tzinfo=ROME))  # fmt: skip
    now = clock.set(datetime(2027, 3, 20, 8, 0, tzinfo=ROME))

    sla_reviews_plan(now=now)

    item = AgendaItem.all_tenants.get(meeting=review_of(version), kind="goals")
    assert [(g["period"], g["metric"], g["status"]) for g in item.figures["goals"]] == [
        ("2027-02", "mqls", "met"), ("2027-03", "sql_handoffs", "at_risk")
    ]  # fmt: skip
    assert item.title == "Shared goals — 1 met, 0 missed, 1 still running"
