"""Creating and changing campaigns at the service: dates, names, slugs and owners the tenant's
other rows refuse, the slug a campaign is given, and the audit rows written."""

from datetime import date

import pytest

from leads.errors import InvalidLeadData, LeadDataConflict
from leads.models import Campaign
from leads.services import campaign_create, campaign_update
from smarketing.tenancy.actors import Actor
from smarketing.tenancy.audit_models import AuditEntry
from smarketing.tenancy.models import Membership
from smarketing.tenancy.roles import Role
from smarketing.tenancy.scope import tenant_scope
from tests.leads.factories import CampaignFactory

pytestmark = pytest.mark.django_db


def create(tenant, actor=None, **data):
    with tenant_scope(tenant):
        return campaign_create(tenant=tenant, data={"channel": "webinar", **data}, actor=actor)


def update(tenant, campaign, actor=None, **data):
    with tenant_scope(tenant):
        return campaign_update(campaign=campaign, data=data, actor=actor)


def refused(kind, call, *args, **kwargs):
    with pytest.raises(kind) as error:
        call(*args, **kwargs)
    return error.value.errors


def test_a_campaign_may_start_and_end_on_one_day_but_not_end_before_it_starts(tenant):
    one_day = create(tenant, name="Fair", starts_on=date(2027, 3, 1), ends_on=date(2027, 3, 1))
    assert Campaign.all_tenants.get(pk=one_day.pk).ends_on == date(2027, 3, 1)
    assert refused(InvalidLeadData, create, tenant, name="Backwards", starts_on=date(2027, 3, 2),
                   ends_on=date(2027, 3, 1)) == {
        "ends_on": ["A campaign cannot end before it starts."]
    }  # fmt: skip


def test_a_campaign_is_given_a_free_slug_from_its_name(tenant):
    assert create(tenant, name="Spring Sale").slug == "spring-sale"
    assert create(tenant, name="Spring sale!").slug == "spring-sale-2"
    assert create(tenant, name="Spring  sale").slug == "spring-sale-3"
    assert create(tenant, name="!!!").slug == "campaign"
    assert create(tenant, name="x" * 200).slug == "x" * 190
    assert create(tenant, name="Given", slug="my-own").slug == "my-own"


def test_names_and_slugs_taken_and_owners_who_are_no_marketers_here_conflict(tenant, member):
    create(tenant, name="Spring", slug="spring")
    rep = member(tenant, Role.SALES_REP)
    assert refused(LeadDataConflict, create, tenant, name="SPRING", slug="spring",
                   owner_id=rep.pk) == {
        "name": ["A campaign named 'SPRING' exists already."],
        "owner": ["The owner must be a marketer, manager or admin here."],
        "slug": ["Another campaign has the slug 'spring'."],
    }  # fmt: skip


def test_a_marketer_who_left_cannot_own_a_campaign(tenant, member):
    marketer = member(tenant, Role.MARKETER)
    assert create(tenant, name="Owned", owner_id=marketer.pk).owner_id == marketer.pk
    Membership.all_tenants.filter(user=marketer).update(is_active=False)
    assert refused(LeadDataConflict, create, tenant, name="Orphan", owner_id=marketer.pk) == {
        "owner": ["The owner must be a marketer, manager or admin here."]
    }


def test_a_campaign_keeps_its_own_name_and_slug_when_changed(tenant):
    campaign = create(tenant, name="Spring", slug="spring")
    update(tenant, campaign, name="Spring", slug="spring", cost=500)
    assert Campaign.all_tenants.get(pk=campaign.pk).cost == 500


def test_creating_and_changing_a_campaign_is_audited_and_no_change_is_not(tenant, member):
    marketer = Actor.member(member(tenant, Role.MARKETER), Role.MARKETER)
    campaign = create(tenant, actor=marketer, name="Spring", cost=100)
    update(tenant, campaign, actor=marketer, cost=100)
    update(tenant, campaign, name="Spring webinar")
    audit = AuditEntry.all_tenants.filter(target_type="campaign").order_by("pk")
    assert [(a.action, a.actor_label, a.target_type, a.target_id) for a in audit] == [
        ("campaign.created", marketer.label, "campaign", str(campaign.pk)),
        ("campaign.changed", "system", "campaign", str(campaign.pk)),
    ]
    assert audit[0].changes == {
        "name": [None, "Spring"], "channel": [None, "webinar"], "cost": [None, 100],
        "slug": [None, "spring"],
    }  # fmt: skip
    assert audit[1].changes == {"name": ["Spring", "Spring webinar"]}


def test_a_campaign_may_have_only_a_start_or_only_an_end(tenant):
    assert create(tenant, name="Open", starts_on=date(2027, 3, 1)).ends_on is None
    assert create(tenant, name="Deadline", ends_on=date(2027, 3, 1)).starts_on is None


def test_campaigns_without_a_slug_do_not_conflict_over_it(tenant):
    CampaignFactory(tenant=tenant, name="Legacy", slug="")
    assert create(tenant, name="Unslugged", slug="").slug == "unslugged"


def test_a_change_writes_only_the_fields_it_names(tenant):
    """The instance the caller holds may be older than the row: a change of the cost leaves
    the name someone else gave the campaign meanwhile."""
    campaign = create(tenant, name="Spring", cost=100)
    Campaign.all_tenants.filter(pk=campaign.pk).update(name="Spring webinar")
    update(tenant, campaign, cost=500)
    row = Campaign.all_tenants.get(pk=campaign.pk)
    assert (row.name, row.cost) == ("Spring webinar", 500)
