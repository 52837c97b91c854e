"""The queue page, its buttons, the away toggle and the routing page."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from leads.models import Lead, Stage
from leads.routing.models import RoutingRule, RoutingSettings, Team, TeamMember
from smarketing.tenancy.models import Membership
from tests.leads.factories import CampaignFactory, LeadFactory

pytestmark = pytest.mark.django_db


def queue_url(tenant, *parts):
    return "/".join([f"/t/{tenant.slug}/queue", *map(str, parts)]) + "/"


def messages_of(response):
    return [str(m) for m in response.context["messages"]] if response.context else []


def test_the_queue_page_shows_deadlines_scores_persona_and_campaign(tenant, reps, page_for):
    rep = reps(1)[0]
    now = timezone.now()
    LeadFactory(tenant=tenant, stage=Stage.SQL, email="soon@x.example", first_name="Sara",
                last_name="Soon", score=82, fit_score=90, engagement_score=60,
                campaign=CampaignFactory(tenant=tenant, name="Spring webinar"),
                score_breakdown={"persona": {"id": 7, "name": "Ops lead"}}, persona_id=7,
                accept_due_at=now + timedelta(hours=2, minutes=30),
                accept_warn_at=now + timedelta(hours=2))  # fmt: skip
    LeadFactory(tenant=tenant, stage=Stage.SQL, email="late@x.example",
                accept_due_at=now - timedelta(minutes=5))  # fmt: skip

    response = page_for(rep).get(queue_url(tenant))

    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Queue</h1>" in html
    assert html.index("late@x.example") < html.index("soon@x.example")  # most urgent first
    assert 'class="countdown overdue"' in html and ">overdue</time>" in html
    assert "2h 29m left" in html or "2h 30m left" in html
    assert "Score <strong>82</strong>" in html and "fit 90" in html and "engagement 60" in html
    assert "Ops lead" in html and "Spring webinar" in html
    assert 'hx-get="/t/acme/queue/rows/"' in html  # refreshed from the server
    assert "js/queue.js" in html


def test_the_rows_refresh_alone(tenant, reps, page_for):
    LeadFactory(tenant=tenant, stage=Stage.SQL, email="one@x.example")
    html = page_for(reps(1)[0]).get(queue_url(tenant, "rows")).content.decode()
    assert html.lstrip().startswith('<section id="queue-rows"')
    assert "one@x.example" in html and "<h1>" not in html


def test_accepting_from_the_queue_comes_back_with_a_message(tenant, reps, page_for):
    rep = reps(1)[0]
    lead = LeadFactory(tenant=tenant, stage=Stage.SQL)
    response = page_for(rep).post(queue_url(tenant, lead.pk, "accept"), follow=True)
    assert response.redirect_chain[-1][0] == queue_url(tenant)
    assert messages_of(response) == ["Accepted: you own this lead now."]
    lead.refresh_from_db()
    assert lead.owner_id == rep.pk


def test_the_slower_rep_is_told_who_accepted_first(tenant, reps, page_for):
    rep1, rep2 = reps(2)
    lead = LeadFactory(tenant=tenant, stage=Stage.SQL)
    page_for(rep1).post(queue_url(tenant, lead.pk, "accept"))
    response = page_for(rep2).post(queue_url(tenant, lead.pk, "accept"), follow=True)
    assert messages_of(response) == ["rep1@acme.example accepted this lead already."]


def test_rejecting_from_the_queue_needs_a_reason_and_recycles(tenant, reps, page_for):
    rep = reps(1)[0]
    lead = LeadFactory(tenant=tenant, stage=Stage.SQL)
    client = page_for(rep)
    response = client.post(queue_url(tenant, lead.pk, "reject"), {"note": "?"}, follow=True)
    assert "Reason" in messages_of(response)[0]
    body = {"reason_code": "no_budget", "note": "Frozen budgets"}
    response = client.post(queue_url(tenant, lead.pk, "reject"), body, follow=True)
    assert messages_of(response) == ["Rejected: the lead went back to marketing with your reason."]
    lead.refresh_from_db()
    assert lead.stage == Stage.RECYCLED


def test_take_next_claims_the_most_urgent(tenant, reps, page_for):
    rep = reps(1)[0]
    LeadFactory(tenant=tenant, stage=Stage.SQL, email="first@x.example",
                accept_due_at=timezone.now())  # fmt: skip
    response = page_for(rep).post(queue_url(tenant, "claim"), follow=True)
    assert messages_of(response) == ["Accepted first@x.example: you own this lead now."]
    response = page_for(rep).post(queue_url(tenant, "claim"), follow=True)
    assert messages_of(response) == ["The queue is empty: nothing to take."]


def test_my_open_leads_offer_log_touch(tenant, reps, page_for):
    rep = reps(1)[0]
    lead = LeadFactory(tenant=tenant, stage=Stage.SQL, owner=rep, accepted_at=timezone.now(),
                       email="mine@x.example")  # fmt: skip
    client = page_for(rep)
    html = client.get(queue_url(tenant)).content.decode()
    assert "My open leads" in html and f'action="/t/acme/queue/{lead.pk}/touch/"' in html
    assert "Log touch" in html
    response = client.post(queue_url(tenant, lead.pk, "touch"), {"type": "call"}, follow=True)
    assert messages_of(response) == ["Call logged."]


def test_the_away_toggle_flips_the_membership(tenant, reps, page_for):
    rep = reps(1)[0]
    client = page_for(rep)
    assert "Mark me away" in client.get(queue_url(tenant)).content.decode()
    response = client.post(queue_url(tenant, "away"), {"away": "1"}, follow=True)
    assert Membership.all_tenants.get(user=rep).is_away is True
    assert "I&#x27;m back" in response.content.decode() or "I'm back" in response.content.decode()
    client.post(queue_url(tenant, "away"), {"away": "0"})
    assert Membership.all_tenants.get(user=rep).is_away is False


def test_marketers_have_no_queue(tenant, marketer, page_for):
    client = page_for(marketer)
    assert client.get(queue_url(tenant)).status_code == 403
    lead = LeadFactory(tenant=tenant, stage=Stage.SQL)
    assert client.post(queue_url(tenant, lead.pk, "accept")).status_code == 403
    assert 'href="/t/acme/queue/"' not in client.get(f"/t/{tenant.slug}/").content.decode()


def test_a_manager_sets_mode_teams_and_rules_on_the_routing_page(tenant, reps, manager, page_for):
    rep1, rep2 = reps(2)
    client = page_for(manager)
    assert "<h1>Routing</h1>" in client.get(queue_url(tenant, "routing")).content.decode()
    client.post(queue_url(tenant, "routing"), {"mode": "round_robin", "default_capacity": "7"})
    client.post(queue_url(tenant, "routing", "teams"),
                {"name": "Italy", "members": [rep1.email, rep2.email]})  # fmt: skip
    team = Team.all_tenants.get(name="Italy")
    response = client.post(queue_url(tenant, "routing", "rules"),
                           {"field": "country", "values": "it, sm", "target": f"team:{team.pk}"},
                           follow=True)  # fmt: skip
    assert messages_of(response)[-1] == "Rule added."
    settings = RoutingSettings.all_tenants.get(tenant=tenant)
    assert (settings.mode, settings.default_capacity) == ("round_robin", 7)
    rule = RoutingRule.all_tenants.get()
    assert (rule.values, rule.team_id) == (["IT", "SM"], team.pk)
    assert TeamMember.all_tenants.filter(team=team).count() == 2
    html = response.content.decode()
    assert "team Italy" in html and "IT, SM" in html
    client.post(queue_url(tenant, "routing", "rules", rule.pk, "delete"))
    assert not RoutingRule.all_tenants.exists()


def test_reps_cannot_open_the_routing_page(tenant, reps, page_for):
    assert page_for(reps(1)[0]).get(queue_url(tenant, "routing")).status_code == 403


def test_the_queue_page_query_count_does_not_grow_with_rows(
    tenant, reps, page_for, django_assert_max_num_queries
):
    rep = reps(1)[0]
    client = page_for(rep)
    campaign = CampaignFactory(tenant=tenant)
    LeadFactory.create_batch(2, tenant=tenant, stage=Stage.SQL, campaign=campaign)
    with CaptureQueriesContext(connection) as few:
        client.get(queue_url(tenant))
    LeadFactory.create_batch(30, tenant=tenant, stage=Stage.SQL, campaign=campaign)
    with django_assert_max_num_queries(len(few)):
        client.get(queue_url(tenant))
    assert Lead.all_tenants.count() == 32
