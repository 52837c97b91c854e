import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from leads.models import Campaign, Lead, LeadEvent, RejectionReason, Stage, StageTransition
from leads.page_actions import bulk_actions, lead_actions
from smarketing.tenancy.actors import Actor
from smarketing.tenancy.roles import Role
from tests.leads.factories import (
    CampaignFactory,
    LeadEventFactory,
    LeadFactory,
    StageTransitionFactory,
)

pytestmark = pytest.mark.django_db

RICH_BREAKDOWN = {
    "score": 72,
    "fit": 80,
    "engagement": 60,
    "persona": {"id": 7, "version": 2, "name": "Operations lead in mid-size manufacturing"},
    "criteria": {
        "matched": [
            {"field": "industry", "operator": "in", "weight": 40},
            {"field": "company_size", "operator": "range", "weight": 30},
            {"field": "title", "operator": "contains_any", "weight": 20},
        ],
        "missed": [
            {"field": "country", "operator": "equals", "weight": 10},
            {"field": "custom.erp_vendor", "operator": "not_in", "weight": 15},
        ],
    },
    "engagement_contributions": {"webinar": 22.5, "email_click": 9.25, "page_view": 4.1},
    "engagement_raw": 35.85,
    "weights": {"fit": 0.6, "engagement": 0.4},
}


def leads_url(tenant, *parts) -> str:
    return "/".join([f"/t/{tenant.slug}/leads", *map(str, parts)]) + "/"


def text_of(response) -> str:
    return response.content.decode()


def stages_of(leads) -> set[str]:
    return set(
        Lead.all_tenants.filter(pk__in=[lead.pk for lead in leads]).values_list("stage", flat=True)
    )


def buttons(response) -> set[str]:
    return {
        label.strip() for label in re.findall(r"<button[^>]*>([^<]+)</button>", text_of(response))
    }


@pytest.fixture
def as_role(tenant, member):
    """as_role(role) -> (client logged in as a new member of that role, user)."""

    def make(role, **fields):
        user = member(tenant, role, **fields)
        client = Client()
        client.force_login(user)
        return client, user

    return make


@pytest.fixture
def reasons(tenant):
    """The tenant's default rejection reasons, seeded when the tenant was created."""
    seeded = list(RejectionReason.all_tenants.filter(tenant=tenant))
    assert {"bad_fit", "no_budget"} <= {reason.code for reason in seeded}
    return seeded


# --- the list -------------------------------------------------------------------------------


def test_lead_list_shows_each_lead_with_stage_owner_campaign_and_cold_flag(tenant, as_role):
    client, _ = as_role(Role.MARKETER)
    rep = as_role(Role.SALES_REP, email="rita@acme.example")[1]
    campaign = CampaignFactory(tenant=tenant, name="Spring webinar")
    LeadFactory(
        tenant=tenant,
        email="ada@prospect.example",
        company="Lovelace Ltd",
        stage=Stage.SQL,
        owner=rep,
        accepted_at=timezone.now(),
        campaign=campaign,
        is_cold=True,
        score=83,
    )

    page = text_of(client.get(leads_url(tenant)))

    assert "<h1>Leads</h1>" in page
    row = page[page.index("ada@prospect.example") :]
    row = row[: row.index("</tr>")]
    for shown in (
        "Lovelace Ltd",
        'class="badge stage-sql"',
        "rita@acme.example",
        "Spring webinar",
        'class="badge cold"',
        ">83<",
    ):
        assert shown in row


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("stage=mql", {"mql@x.example"}),
        ("stage=mql&stage=sql", {"mql@x.example", "mine@x.example"}),
        ("owner=me", {"mine@x.example"}),
        ("owner=none", {"mql@x.example", "cold@x.example", "acme-ceo@x.example"}),
        ("is_cold=true", {"cold@x.example"}),
        ("score_min=50&score_max=70", {"mql@x.example"}),
        ("q=acme", {"acme-ceo@x.example"}),
        ("q=initech", {"cold@x.example"}),
    ],
)
def test_lead_list_filters_like_the_api(tenant, as_role, query, expected):
    client, rep = as_role(Role.SALES_REP)
    LeadFactory(tenant=tenant, email="mql@x.example", stage=Stage.MQL, score=60)
    LeadFactory(tenant=tenant, email="mine@x.example", stage=Stage.SQL, owner=rep, score=90)
    LeadFactory(tenant=tenant, email="cold@x.example", is_cold=True, company="Initech", score=5)
    LeadFactory(tenant=tenant, email="acme-ceo@x.example", company="Other", score=20)

    page = text_of(client.get(leads_url(tenant) + "?" + query))

    shown = set(re.findall(r">([\w-]+@x\.example)</a>", page))
    assert shown == expected


def test_lead_list_filters_by_campaign_and_creation_dates(tenant, as_role):
    client, _ = as_role(Role.MARKETER)
    spring, autumn = CampaignFactory(tenant=tenant), CampaignFactory(tenant=tenant)
    old = LeadFactory(tenant=tenant, email="old@x.example", campaign=spring)
    LeadFactory(tenant=tenant, email="new@x.example", campaign=autumn)
    Lead.all_tenants.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=40))
    since = (timezone.now() - timedelta(days=7)).date().isoformat()

    by_campaign = text_of(client.get(leads_url(tenant) + f"?campaign={spring.pk}"))
    recent = text_of(client.get(leads_url(tenant) + f"?created_after={since}"))
    earlier = text_of(client.get(leads_url(tenant) + f"?created_before={since}"))

    assert "old@x.example" in by_campaign and "new@x.example" not in by_campaign
    assert "new@x.example" in recent and "old@x.example" not in recent
    assert "old@x.example" in earlier and "new@x.example" not in earlier


def test_lead_list_orders_by_score_and_by_last_activity(tenant, as_role):
    client, _ = as_role(Role.MARKETER)
    now = timezone.now()
    LeadFactory(tenant=tenant, email="low@x.example", score=10, last_activity_at=now)
    LeadFactory(tenant=tenant, email="high@x.example", score=90, last_activity_at=None)
    LeadFactory(
        tenant=tenant, email="mid@x.example", score=50, last_activity_at=now - timedelta(days=3)
    )

    def order(ordering):
        page = text_of(client.get(leads_url(tenant) + f"?ordering={ordering}"))
        return re.findall(r">(\w+)@x\.example</a>", page)

    assert order("-score") == ["high", "mid", "low"]
    assert order("score") == ["low", "mid", "high"]
    # Never-active leads sort last when the latest activity comes first.
    assert order("-last_activity_at") == ["low", "mid", "high"]


def test_an_unknown_filter_value_is_reported_and_ignored(tenant, as_role):
    client, _ = as_role(Role.MARKETER)
    LeadFactory(tenant=tenant, email="any@x.example")

    page = text_of(client.get(leads_url(tenant) + "?score_min=lots&ordering=nonsense"))

    assert "Some filters were ignored" in page
    assert "any@x.example" in page


def test_lead_list_pages_by_fifty(tenant, as_role):
    client, _ = as_role(Role.MARKETER)
    LeadFactory.create_batch(53, tenant=tenant)

    first = text_of(client.get(leads_url(tenant)))
    second = text_of(client.get(leads_url(tenant) + "?page=2"))
    past_the_end = text_of(client.get(leads_url(tenant) + "?page=9"))

    assert first.count('name="lead"') == 50 and "1\u201350 of 53 leads" in first
    assert second.count('name="lead"') == 3 and "Page 2 of 2" in second
    assert past_the_end.count('name="lead"') == 3


def test_lead_list_runs_the_same_queries_for_three_leads_or_fifty(
    tenant, as_role, member, django_assert_num_queries
):
    client, _ = as_role(Role.MARKETER)

    def add_leads(count):
        for _ in range(count):
            owner = member(tenant, Role.SALES_REP)
            LeadFactory(tenant=tenant, owner=owner, campaign=CampaignFactory(tenant=tenant))

    add_leads(3)
    client.get(leads_url(tenant))  # warm the session
    with CaptureQueriesContext(connection) as few:
        assert client.get(leads_url(tenant)).status_code == 200
    add_leads(50)

    with django_assert_num_queries(len(few.captured_queries)):
        page = text_of(client.get(leads_url(tenant)))
    assert page.count('name="lead"') == 50


def test_an_htmx_request_gets_only_the_results(tenant, as_role):
    client, _ = as_role(Role.MARKETER)
    LeadFactory(tenant=tenant, email="a@x.example", stage=Stage.MQL)
    LeadFactory(tenant=tenant, email="b@x.example")

    response = client.get(leads_url(tenant) + "?stage=mql", headers={"HX-Request": "true"})

    page = text_of(response)
    assert page.lstrip().startswith('<div id="lead-results">')
    assert "<html" not in page and "a@x.example" in page and "b@x.example" not in page
    assert 'hx-swap-oob="true"' in page  # the sort menu follows the header links


# --- bulk moves -----------------------------------------------------------------------------


def test_bulk_flag_moves_each_lead_it_can_and_reports_the_others(tenant, as_role):
    client, _ = as_role(Role.MARKETER)
    fresh = LeadFactory.create_batch(3, tenant=tenant, stage=Stage.LEAD)
    recycled = LeadFactory(tenant=tenant, stage=Stage.RECYCLED)
    handed_off = LeadFactory.create_batch(2, tenant=tenant, stage=Stage.SQL)
    chosen = [*fresh, recycled, *handed_off]

    response = client.post(
        leads_url(tenant, "bulk"),
        {"action": "mql", "lead": [lead.pk for lead in chosen], "next": leads_url(tenant)},
        follow=True,
    )

    page = text_of(response)
    assert "4 flagged, 2 skipped: already SQL." in page
    assert stages_of(chosen[:4]) == {Stage.MQL}
    assert stages_of(handed_off) == {Stage.SQL}
    assert StageTransition.all_tenants.filter(to_stage=Stage.MQL).count() == 4
    report = page[page.index("result per lead") :]
    assert f"{handed_off[0].email}</a>" in report and "— already SQL" in report


def test_bulk_hand_off_explains_leads_that_are_not_mqls_yet(tenant, as_role):
    client, _ = as_role(Role.MARKETER)
    mqls = LeadFactory.create_batch(2, tenant=tenant, stage=Stage.MQL)
    raw = LeadFactory(tenant=tenant, stage=Stage.LEAD)
    won = LeadFactory(tenant=tenant, stage=Stage.WON)

    response = client.post(
        leads_url(tenant, "bulk"),
        {"action": "sql", "lead": [raw.pk, *[m.pk for m in mqls], won.pk]},
        follow=True,
    )

    page = text_of(response)
    assert "2 handed off, 2 skipped:" in page
    assert "not MQL yet (1)" in page and "already Won (1)" in page
    assert stages_of(mqls) == {Stage.SQL}


def test_bulk_ignores_leads_of_another_tenant(tenant, other_tenant, as_role):
    client, _ = as_role(Role.MARKETER)
    foreign = LeadFactory(tenant=other_tenant, stage=Stage.LEAD)

    page = text_of(
        client.post(leads_url(tenant, "bulk"), {"action": "mql", "lead": [foreign.pk]}, follow=True)
    )

    assert "0 flagged, 1 skipped: not found." in page
    assert Lead.all_tenants.get(pk=foreign.pk).stage == Stage.LEAD


def test_bulk_without_a_selection_says_so(tenant, as_role):
    client, _ = as_role(Role.MARKETER)

    page = text_of(client.post(leads_url(tenant, "bulk"), {"action": "mql"}, follow=True))

    assert "Select at least one lead." in page


def test_sales_reps_get_no_bulk_moves(tenant, as_role):
    client, _ = as_role(Role.SALES_REP)
    lead = LeadFactory(tenant=tenant, stage=Stage.LEAD)

    listing = client.get(leads_url(tenant))
    refused = client.post(
        leads_url(tenant, "bulk"), {"action": "mql", "lead": [lead.pk]}, follow=True
    )

    assert 'name="lead"' not in text_of(listing) and "Flag as MQL" not in buttons(listing)
    assert "may not move leads to MQL" in text_of(refused)
    assert Lead.all_tenants.get(pk=lead.pk).stage == Stage.LEAD


def test_bulk_redirects_back_only_to_the_lead_list(tenant, as_role):
    client, _ = as_role(Role.MARKETER)
    lead = LeadFactory(tenant=tenant)

    kept = client.post(
        leads_url(tenant, "bulk"),
        {"action": "mql", "lead": [lead.pk], "next": leads_url(tenant) + "?page=2"},
    )
    foreign = client.post(
        leads_url(tenant, "bulk"),
        {"action": "mql", "lead": [lead.pk], "next": "https://evil.example/"},
    )

    assert kept["Location"] == leads_url(tenant) + "?page=2"
    assert foreign["Location"] == leads_url(tenant)


# --- which buttons a role sees ---------------------------------------------------------------


def test_a_marketer_sees_marketing_moves_on_a_new_lead(tenant, as_role, reasons):
    client, _ = as_role(Role.MARKETER)
    lead = LeadFactory(tenant=tenant, stage=Stage.LEAD)

    shown = buttons(client.get(leads_url(tenant, lead.pk)))

    assert {"Flag as MQL", "Disqualify"} <= shown
    assert not shown & {"Accept", "Reject", "Log touch", "Hand off to sales"}


def test_a_marketer_hands_off_or_unflags_an_mql_and_a_rep_cannot(tenant, as_role):
    marketer, _ = as_role(Role.MARKETER)
    rep, _ = as_role(Role.SALES_REP)
    lead = LeadFactory(tenant=tenant, stage=Stage.MQL)

    assert {"Hand off to sales", "Unflag"} <= buttons(marketer.get(leads_url(tenant, lead.pk)))
    assert not buttons(rep.get(leads_url(tenant, lead.pk))) & {"Hand off to sales", "Unflag"}


def test_a_rep_sees_accept_and_reject_on_an_unaccepted_sql(tenant, as_role, reasons):
    rep, _ = as_role(Role.SALES_REP)
    marketer, _ = as_role(Role.MARKETER)
    lead = LeadFactory(tenant=tenant, stage=Stage.SQL)

    rep_page = rep.get(leads_url(tenant, lead.pk))

    assert {"Accept", "Reject", "Log touch"} <= buttons(rep_page)
    assert "Move to opportunity" not in buttons(rep_page)
    assert ">Bad fit</option>" in text_of(rep_page)  # the tenant's rejection reasons
    assert not buttons(marketer.get(leads_url(tenant, lead.pk))) & {"Accept", "Reject"}


def test_only_the_owner_works_an_accepted_sql(tenant, as_role, reasons):
    owner_client, owner = as_role(Role.SALES_REP)
    other_client, _ = as_role(Role.SALES_REP)
    lead = LeadFactory(tenant=tenant, stage=Stage.SQL, owner=owner, accepted_at=timezone.now())

    owner_sees = buttons(owner_client.get(leads_url(tenant, lead.pk)))
    other_sees = buttons(other_client.get(leads_url(tenant, lead.pk)))

    assert {"Move to opportunity", "Mark as lost", "Disqualify", "Reject"} <= owner_sees
    assert "Accept" not in owner_sees
    assert not other_sees & {"Accept", "Reject", "Move to opportunity", "Mark as lost"}


def test_a_manager_sees_every_legal_move(tenant, as_role, reasons):
    client, _ = as_role(Role.MANAGER)
    lead = LeadFactory(tenant=tenant, stage=Stage.OPPORTUNITY)

    page = client.get(leads_url(tenant, lead.pk))

    assert {"Mark as won", "Mark as lost", "Log touch"} <= buttons(page)
    assert 'name="amount"' in text_of(page)


def test_page_actions_follow_the_lifecycle_table(tenant, member):
    marketer = Actor.member(member(tenant, Role.MARKETER), Role.MARKETER)
    rep = Actor.member(member(tenant, Role.SALES_REP), Role.SALES_REP)
    recycled = LeadFactory(tenant=tenant, stage=Stage.RECYCLED)
    won = LeadFactory(tenant=tenant, stage=Stage.WON)

    assert [a.label for a in lead_actions(lead=recycled, actor=marketer)] == [
        "Flag as MQL",
        "Disqualify",
    ]
    assert lead_actions(lead=won, actor=marketer) == []
    assert [a.target for a in bulk_actions(actor=marketer)] == [Stage.MQL, Stage.SQL]
    assert bulk_actions(actor=rep) == []


# --- pressing the buttons --------------------------------------------------------------------


def test_flagging_and_handing_off_from_the_lead_page(tenant, as_role):
    client, user = as_role(Role.MARKETER)
    lead = LeadFactory(tenant=tenant, stage=Stage.LEAD)

    flagged = client.post(leads_url(tenant, lead.pk, "move"), {"to": "mql"}, follow=True)
    handed = client.post(leads_url(tenant, lead.pk, "move"), {"to": "sql"}, follow=True)

    assert "Flagged as MQL." in text_of(flagged)
    assert "Handed off to sales" in text_of(handed)
    assert 'data-testid="stage">SQL<' in text_of(handed)
    assert Lead.all_tenants.get(pk=lead.pk).stage == Stage.SQL
    timeline = text_of(handed)[text_of(handed).index("Timeline") :]
    assert timeline.index("MQL → SQL") < timeline.index("Lead → MQL")
    assert f"by {user.email}" in timeline


def test_a_second_accept_shows_who_accepted_first(tenant, as_role):
    first_client, first = as_role(Role.SALES_REP, email="first@acme.example")
    second_client, _ = as_role(Role.SALES_REP)
    lead = LeadFactory(tenant=tenant, stage=Stage.SQL)

    won = first_client.post(leads_url(tenant, lead.pk, "accept"), follow=True)
    lost = second_client.post(leads_url(tenant, lead.pk, "accept"), follow=True)

    assert "Accepted: you own this lead now." in text_of(won)
    assert lost.status_code == 200
    assert "first@acme.example accepted this lead already." in text_of(lost)
    assert Lead.all_tenants.get(pk=lead.pk).owner == first


def test_an_illegal_move_is_a_message_not_an_error_page(tenant, as_role):
    client, _ = as_role(Role.MARKETER)
    lead = LeadFactory(tenant=tenant, stage=Stage.LEAD)

    response = client.post(
        leads_url(tenant, lead.pk, "move"), {"to": "won", "amount": "10"}, follow=True
    )

    assert response.status_code == 200
    assert 'class="message error"' in text_of(response)
    assert "A lead cannot move from lead to won." in text_of(response)


def test_a_move_the_role_may_not_make_is_refused_with_a_message(tenant, as_role):
    client, _ = as_role(Role.MARKETER)
    lead = LeadFactory(tenant=tenant, stage=Stage.SQL)

    page = text_of(client.post(leads_url(tenant, lead.pk, "accept"), follow=True))

    assert "Only sales reps (and managers) accept SQLs." in page
    assert Lead.all_tenants.get(pk=lead.pk).accepted_at is None


def test_rejecting_needs_a_reason_and_records_it_with_the_note(tenant, as_role, reasons):
    client, _ = as_role(Role.SALES_REP)
    lead = LeadFactory(tenant=tenant, stage=Stage.SQL)

    missing = client.post(leads_url(tenant, lead.pk, "reject"), {"note": "?"}, follow=True)
    done = client.post(
        leads_url(tenant, lead.pk, "reject"),
        {"reason_code": "no_budget", "note": "Budget frozen until Q3"},
        follow=True,
    )

    assert "Reason: This field is required." in text_of(missing)
    assert Lead.all_tenants.get(pk=lead.pk).stage == Stage.RECYCLED
    page = text_of(done)
    assert "Rejected, back to marketing" in page
    assert "Reason: No budget" in page and "Budget frozen until Q3" in page


def test_disqualifying_without_a_reason_explains_what_is_missing(tenant, as_role):
    client, _ = as_role(Role.MARKETER)
    lead = LeadFactory(tenant=tenant, stage=Stage.LEAD)

    page = text_of(
        client.post(leads_url(tenant, lead.pk, "move"), {"to": "disqualified"}, follow=True)
    )

    assert "Moving to disqualified needs a reason code." in page
    assert Lead.all_tenants.get(pk=lead.pk).stage == Stage.LEAD


def test_the_owner_wins_an_opportunity_with_its_amount(tenant, as_role):
    client, rep = as_role(Role.SALES_REP)
    lead = LeadFactory(
        tenant=tenant, stage=Stage.OPPORTUNITY, owner=rep, accepted_at=timezone.now()
    )

    page = text_of(
        client.post(
            leads_url(tenant, lead.pk, "move"),
            {"to": "won", "amount": "12500.00", "note": "Signed"},
            follow=True,
        )
    )

    assert "Marked as won." in page and "Amount: 12500.00" in page
    assert StageTransition.all_tenants.get(lead=lead, to_stage=Stage.WON).amount == Decimal(
        "12500.00"
    )


def test_a_rep_logs_a_touch_that_appears_on_the_timeline(tenant, as_role):
    client, rep = as_role(Role.SALES_REP)
    lead = LeadFactory(tenant=tenant, stage=Stage.SQL, owner=rep, accepted_at=timezone.now())

    page = text_of(
        client.post(
            leads_url(tenant, lead.pk, "touch"),
            {"type": "call", "note": "Left a voicemail"},
            follow=True,
        )
    )

    assert "Call logged." in page and "Left a voicemail" in page
    event = LeadEvent.all_tenants.get(lead=lead)
    assert (event.type, event.actor) == ("call", rep)


def test_an_action_on_another_tenants_lead_is_404(tenant, other_tenant, as_role):
    client, _ = as_role(Role.MANAGER)
    foreign = LeadFactory(tenant=other_tenant, stage=Stage.LEAD)

    assert client.get(leads_url(tenant, foreign.pk)).status_code == 404
    assert client.post(leads_url(tenant, foreign.pk, "move"), {"to": "mql"}).status_code == 404
    assert Lead.all_tenants.get(pk=foreign.pk).stage == Stage.LEAD


def test_action_forms_carry_a_csrf_token_and_need_it(tenant, member):
    user = member(tenant, Role.MARKETER)
    lead = LeadFactory(tenant=tenant, stage=Stage.LEAD)
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(user)

    page = text_of(strict.get(leads_url(tenant, lead.pk)))
    refused = strict.post(leads_url(tenant, lead.pk, "move"), {"to": "mql"})

    assert page.count('name="csrfmiddlewaretoken"') >= 3  # logout, flag, disqualify
    assert refused.status_code == 403
    assert Lead.all_tenants.get(pk=lead.pk).stage == Stage.LEAD


# --- the lead page's content ------------------------------------------------------------------


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


# --- campaigns -------------------------------------------------------------------------------


def test_campaigns_list_their_funnel_and_roi(tenant, as_role):
    client, _ = as_role(Role.SALES_REP)
    campaign = CampaignFactory(tenant=tenant, name="Trade fair", cost=Decimal("1000"))
    lead = LeadFactory(tenant=tenant, campaign=campaign, stage=Stage.WON)
    for source, target in [("lead", "mql"), ("mql", "sql"), ("sql", "opportunity")]:
        StageTransitionFactory(lead=lead, from_stage=source, to_stage=target)
    StageTransitionFactory(
        lead=lead, from_stage="opportunity", to_stage="won", amount=Decimal("3500")
    )

    response = client.get(f"/t/{tenant.slug}/campaigns/")

    page = text_of(response)
    assert "<h1>Campaigns</h1>" in page and "Trade fair" in page
    assert "3,500" in page and "250%" in page  # ROI = (3500 - 1000) / 1000
    assert "New campaign" not in page  # reps read; marketing and managers create


def test_a_marketer_creates_a_campaign_and_a_duplicate_name_is_explained(tenant, as_role):
    client, _ = as_role(Role.MARKETER)
    data = {
        "name": "Spring webinar",
        "channel": "webinar",
        "cost": "1200",
        "starts_on": "2027-03-01",
        "ends_on": "2027-03-31",
    }

    created = client.post(f"/t/{tenant.slug}/campaigns/", data, follow=True)
    duplicate = client.post(f"/t/{tenant.slug}/campaigns/", {**data, "name": "spring WEBINAR"})

    assert "Campaign “Spring webinar” created." in text_of(created)
    assert Campaign.all_tenants.filter(tenant=tenant).count() == 1
    assert duplicate.status_code == 200
    assert "exists already" in text_of(duplicate) and 'aria-invalid="true"' in text_of(duplicate)


def test_a_campaign_that_ends_before_it_starts_is_refused(tenant, as_role):
    client, _ = as_role(Role.MANAGER)

    page = text_of(
        client.post(
            f"/t/{tenant.slug}/campaigns/",
            {
                "name": "Backwards",
                "channel": "event",
                "cost": "0",
                "starts_on": "2027-03-10",
                "ends_on": "2027-03-01",
            },
        )
    )

    assert "A campaign cannot end before it starts." in page
    assert not Campaign.all_tenants.filter(name="Backwards").exists()


def test_a_sales_rep_cannot_create_campaigns(tenant, as_role):
    client, _ = as_role(Role.SALES_REP)

    response = client.post(
        f"/t/{tenant.slug}/campaigns/", {"name": "Mine", "cost": "0", "channel": "other"}
    )

    assert response.status_code == 403
    assert not Campaign.all_tenants.filter(name="Mine").exists()


def test_the_export_link_downloads_the_filtered_list(tenant, as_role):
    client, _ = as_role(Role.MARKETER)
    LeadFactory(tenant=tenant, email="hot@x.example", score=90)
    LeadFactory(tenant=tenant, email="cold@x.example", score=10)

    page = text_of(client.get(leads_url(tenant) + "?score_min=50&page=1"))
    link = re.search(r'href="([^"]+export\.csv[^"]*)"', page).group(1).replace("&amp;", "&")
    exported = b"".join(client.get(link).streaming_content).decode()

    assert "page=" not in link
    assert "hot@x.example" in exported and "cold@x.example" not in exported
