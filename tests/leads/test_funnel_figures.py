"""The funnel's one definition: what each figure counts, over a period in the tenant's zone."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from leads.funnel.figures import flow_figures, flow_figures_by
from smarketing.periods import parse_named
from smarketing.tenancy.scope import tenant_scope
from tests.leads.factories import CampaignFactory, LeadFactory, StageTransitionFactory

pytestmark = pytest.mark.django_db

JANUARY = datetime(2027, 1, 15, 12, tzinfo=UTC)


def _move(lead, action, to_stage, *, at=JANUARY, reason="", amount=None):
    return StageTransitionFactory(
        lead=lead, action=action, to_stage=to_stage, at=at, reason_code=reason, amount=amount
    )


def test_a_cold_recycle_is_went_cold_and_never_a_sales_rejection(tenant):
    lead = LeadFactory(tenant=tenant)
    _move(lead, "move", "mql")
    _move(lead, "move", "sql")
    _move(lead, "reject", "mql", reason="went_cold")
    _move(lead, "move", "sql")
    _move(lead, "reject", "mql", reason="bad_fit")
    _move(lead, "move", "sql")
    _move(lead, "accept", "sql")
    with tenant_scope(tenant.id):
        figures = flow_figures(parse_named("2027-01", tz_name="UTC"))
    assert (figures.mqls, figures.sql_handoffs) == (1, 3)
    assert (figures.accepted, figures.rejected, figures.went_cold) == (1, 1, 1)
    assert figures.acceptance_rate == 0.5


def test_amounts_sum_into_pipeline_and_won_revenue(tenant):
    lead = LeadFactory(tenant=tenant)
    _move(lead, "move", "opportunity", amount=Decimal("1200.00"))
    _move(lead, "move", "won", amount=Decimal("1000.00"))
    with tenant_scope(tenant.id):
        figures = flow_figures(None)
    assert (figures.pipeline, figures.won_revenue) == (Decimal("1200.00"), Decimal("1000.00"))
    assert (figures.opportunities, figures.won) == (1, 1)


def test_a_move_counts_in_the_month_of_the_tenants_calendar(tenant):
    lead = LeadFactory(tenant=tenant)
    # 31 January 20:00 UTC is already 1 February in Auckland, still January in Los Angeles.
    _move(lead, "move", "mql", at=datetime(2027, 1, 31, 20, tzinfo=UTC))
    with tenant_scope(tenant.id):
        auckland = flow_figures(parse_named("2027-01", tz_name="Pacific/Auckland"))
        los_angeles = flow_figures(parse_named("2027-01", tz_name="America/Los_Angeles"))
    assert (auckland.mqls, los_angeles.mqls) == (0, 1)


def test_figures_group_by_a_field_and_stay_in_the_tenant(tenant, other_tenant):
    campaign = CampaignFactory(tenant=tenant)
    _move(LeadFactory(tenant=tenant, campaign=campaign), "move", "mql")
    _move(LeadFactory(tenant=tenant), "move", "mql")
    _move(LeadFactory(tenant=other_tenant), "move", "mql")
    with tenant_scope(tenant.id):
        grouped = flow_figures_by(None, group_by="lead__campaign_id")
    assert {key: figures.mqls for key, figures in grouped.items()} == {campaign.pk: 1, None: 1}
