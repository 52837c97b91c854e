"""Every report counts the funnel the same way: on random histories of stage transitions,
campaign stats, persona performance, compliance's marketing figures, the feedback page, the
meeting agenda and the funnel report (read raw, and through its daily rollup) all equal the
shared figures (`leads.funnel`), and the shared figures equal a plain count of the rows by
the written definition."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from django.db import transaction
from django.db.models import Q
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from leads.feedback import rejection_feedback
from leads.funnel.figures import flow_figures
from leads.funnel.models import FunnelRollupState
from leads.funnel.report import funnel_report
from leads.funnel.rollups import funnel_rollups_refresh
from leads.models import StageTransition
from leads.selectors import campaign_stats
from meetings.agenda import agenda_points
from personas.selectors import persona_performance
from sla.compliance.report import compliance_report
from sla.services.rollups import rollup_timezone
from smarketing.periods import Period
from smarketing.tenancy.scope import tenant_scope
from tests.leads.factories import CampaignFactory, LeadFactory, StageTransitionFactory
from tests.meetings.factories import MeetingFactory

pytestmark = pytest.mark.django_db

START = datetime(2027, 1, 1, tzinfo=UTC)
DAYS = 60
LEADS = 6
# (action, to_stage, reason): every kind of record a history holds, the cold recycle too.
MOVES = [
    ("move", "mql", ""), ("move", "sql", ""), ("accept", "sql", ""),
    ("reject", "recycled", "bad_fit"), ("reject", "recycled", "no_budget"),
    ("reject", "recycled", "went_cold"), ("move", "opportunity", ""), ("move", "won", ""),
    ("move", "lost", "no_budget"), ("move", "lead", ""), ("assign", "sql", ""),
    ("merge", "mql", ""),
]  # fmt: skip

transition_spec = st.tuples(
    st.integers(min_value=0, max_value=LEADS - 1),
    st.sampled_from(MOVES),
    st.integers(min_value=0, max_value=DAYS * 24 - 1),  # hour of the history
    st.integers(min_value=0, max_value=5000),
)
lead_spec = st.tuples(st.sampled_from([0, 1, None]), st.sampled_from([11, 12, None]))


def _by_definition(rows, period: Period) -> dict:
    """The written definition, counted by hand: moves into a stage; accepts; rejections by
    sales (never the cold recycle, `went_cold`); amounts of moves into won."""
    counts = dict.fromkeys(["mqls", "sql_handoffs", "accepted", "rejected", "went_cold",
                            "opportunities", "won"], 0)  # fmt: skip
    revenue = Decimal("0")
    moved = {"mql": "mqls", "sql": "sql_handoffs", "opportunity": "opportunities", "won": "won"}
    for action, to_stage, reason, amount, at in rows:
        if not period.contains(at):
            continue
        if action == "move" and to_stage in moved:
            counts[moved[to_stage]] += 1
            revenue += amount if to_stage == "won" and amount else 0
        elif action == "accept":
            counts["accepted"] += 1
        elif action == "reject":
            counts["went_cold" if reason == "went_cold" else "rejected"] += 1
    return {**counts, "won_revenue": revenue}


def _arrange(tenant, leads, transitions):
    campaigns = [CampaignFactory(tenant=tenant, cost=Decimal("100")) for _ in range(2)]
    made = [
        LeadFactory(tenant=tenant, campaign=campaigns[c] if c is not None else None,
                    persona_id=persona)
        for c, persona in (leads + [(None, None)] * LEADS)[:LEADS]
    ]  # fmt: skip
    for index, (action, to_stage, reason), hour, amount in transitions:
        StageTransitionFactory(
            lead=made[index], action=action, to_stage=to_stage, reason_code=reason,
            at=START + timedelta(hours=hour),
            amount=Decimal(amount) if to_stage in ("won", "opportunity") else None,
        )  # fmt: skip
    return campaigns


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])  # fmt: skip
@given(
    leads=st.lists(lead_spec, max_size=LEADS),
    transitions=st.lists(transition_spec, max_size=40),
    first=st.integers(min_value=0, max_value=DAYS - 1),
    length=st.integers(min_value=1, max_value=DAYS),
)
def test_every_report_counts_what_the_shared_figures_count(
    tenant, leads, transitions, first, length
):
    with transaction.atomic(), tenant_scope(tenant):
        campaigns = _arrange(tenant, leads, transitions)
        first_day = date(2027, 1, 1) + timedelta(days=first)
        period = Period(first_day, first_day + timedelta(days=length - 1), rollup_timezone())
        shared = flow_figures(period)

        rows = StageTransition.objects.values_list(
            "action", "to_stage", "reason_code", "amount", "at"
        )
        expected = _by_definition(rows, period)
        assert {name: getattr(shared, name) for name in expected} == expected

        # Campaign stats and persona performance, per campaign and persona.
        stats = campaign_stats(campaign_ids=[c.pk for c in campaigns], period=period)
        for campaign in campaigns:
            mine = flow_figures(period, lead_filter=Q(lead__campaign_id=campaign.pk))
            got = stats[campaign.pk]
            assert (got["mqls"], got["sqls"], got["accepted"], got["rejected"]) == (
                mine.mqls, mine.sql_handoffs, mine.accepted, mine.rejected)  # fmt: skip
            assert (got["opportunities"], got["won"], got["won_revenue"]) == (
                mine.opportunities, mine.won, mine.won_revenue)  # fmt: skip
            assert got["acceptance_rate"] == mine.acceptance_rate
        performance = persona_performance(persona_ids=[11, 12], period=period)
        for persona_id in (11, 12):
            mine = flow_figures(period, lead_filter=Q(lead__persona_id=persona_id))
            got = performance[persona_id]
            assert (got["mqls"], got["sqls"], got["accepted"], got["rejected"]) == (
                mine.mqls, mine.sql_handoffs, mine.accepted, mine.rejected)  # fmt: skip
            assert sum(r["count"] for r in got["rejection_reasons"]) == mine.rejected

        # Compliance's marketing figures (computed live, the rollups' own cells).
        marketing = compliance_report(period=period, group_by=None, state=None)["marketing"]
        assert (marketing["mqls"], marketing["sql_handoffs"]) == (shared.mqls, shared.sql_handoffs)
        assert (marketing["accepted"], marketing["rejected"]) == (shared.accepted, shared.rejected)
        assert marketing["acceptance_rate"] == shared.acceptance_rate
        assert sum(r["count"] for r in marketing["rejection_reasons"]) == shared.rejected

        # The feedback page, by campaign and by reason.
        for group_by in ("campaign", "reason"):
            feedback = rejection_feedback(period=period, group_by=group_by)
            assert (feedback["handed_off"], feedback["rejected"]) == (
                shared.sql_handoffs, shared.rejected)  # fmt: skip
            assert sum(g["rejected"] for g in feedback["groups"]) == shared.rejected
            assert len(feedback["notes"]) == shared.rejected

        # The meeting agenda of the same days.
        meeting = MeetingFactory(tenant=tenant, period_start=period.first_day,
                                 period_end=period.last_day, scheduled_at=period.end)  # fmt: skip
        points = {p.kind: p.figures for p in agenda_points(meeting=meeting, tz_name=period.tz_name)}
        assert points["mql_volume"]["count"] == shared.mqls
        assert points["sql_volume"]["count"] == shared.sql_handoffs
        acceptance = points["acceptance"]
        assert (acceptance["accepted"], acceptance["rejected"]) == (
            shared.accepted,
            shared.rejected,
        )
        assert acceptance["rate"] == shared.acceptance_rate
        assert points["rejections"]["total"] == shared.rejected
        assert points["cold_leads"]["recycled"] == shared.went_cold

        # The funnel report's flow is the same figures, stage by stage.
        stages = {
            s["stage"]: s["count"] for s in funnel_report(period=period, mode="flow")["stages"]
        }
        counted = [
            shared.mqls,
            shared.sql_handoffs,
            shared.accepted,
            shared.opportunities,
            shared.won,
        ]
        assert [stages[s] for s in ("mql", "sql", "accepted", "opportunity", "won")] == counted

        # Read through the daily rollup (every day of the period closed), the same figures.
        raw_funnel = funnel_report(period=period, mode="flow")
        funnel_rollups_refresh(tenant_id=tenant.pk, now=period.end + timedelta(days=1))
        assert FunnelRollupState.objects.get().rolled_through >= period.last_day
        rolled = funnel_report(period=period, mode="flow")
        assert [s["count"] for s in rolled["stages"][1:]] == counted
        assert rolled == raw_funnel
        transaction.set_rollback(True)
