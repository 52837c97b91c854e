"""The campaign history service: a lead's touches in time order never name one campaign
twice in a row, whatever order a batch comes in, and what events name as their campaign."""

from datetime import UTC, datetime, timedelta

import pytest

from leads.models import CampaignTouch
from leads.services.touches import campaign_ids_of, campaign_touches_record, campaigns_named_by
from smarketing.tenancy.scope import tenant_scope
from tests.leads.factories import CampaignFactory, LeadFactory

pytestmark = pytest.mark.django_db

T0 = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)


def at(hours):
    return T0 + timedelta(hours=hours)


@pytest.fixture
def spring(tenant):
    return CampaignFactory(tenant=tenant, slug="spring")


@pytest.fixture
def autumn(tenant):
    return CampaignFactory(tenant=tenant, slug="autumn")


def record(tenant, touches, source="import"):
    with tenant_scope(tenant):
        return campaign_touches_record(tenant_id=tenant.pk, touches=touches, source=source)


def history(lead):
    return list(CampaignTouch.all_tenants.filter(lead=lead).order_by("at", "pk")
                .values_list("campaign_id", "at", "source"))  # fmt: skip


def test_a_batch_in_any_order_is_recorded_in_time_order_without_repeats(tenant, spring, autumn):
    ada, bob = LeadFactory(tenant=tenant), LeadFactory(tenant=tenant)
    new = record(tenant, [
        (ada.pk, spring.pk, at(3)), (bob.pk, autumn.pk, at(1)), (ada.pk, autumn.pk, at(2)),
        (ada.pk, spring.pk, at(1)), (ada.pk, spring.pk, at(4)), (ada.pk, spring.pk, at(1)),
        (bob.pk, autumn.pk, at(2)),
    ])  # fmt: skip
    assert new == 4
    assert history(ada) == [(spring.pk, at(1), "import"), (autumn.pk, at(2), "import"),
                            (spring.pk, at(3), "import")]  # fmt: skip
    assert history(bob) == [(autumn.pk, at(1), "import")]


def test_a_touch_repeating_the_recorded_one_before_it_adds_nothing(tenant, spring, autumn):
    lead = LeadFactory(tenant=tenant)
    assert record(tenant, [(lead.pk, spring.pk, at(1)), (lead.pk, autumn.pk, at(3))]) == 2
    assert record(tenant, [(lead.pk, spring.pk, at(2)), (lead.pk, spring.pk, at(1))],
                  source="event") == 0  # fmt: skip
    # Later than the autumn touch: spring comes again.
    assert record(tenant, [(lead.pk, spring.pk, at(4))], source="event") == 1
    # At the very instant of a recorded touch: that touch is the one before it.
    assert record(tenant, [(lead.pk, autumn.pk, at(3))]) == 0
    assert history(lead) == [(spring.pk, at(1), "import"), (autumn.pk, at(3), "import"),
                             (spring.pk, at(4), "event")]  # fmt: skip


def test_a_touch_before_the_first_recorded_one_is_recorded(tenant, spring):
    lead = LeadFactory(tenant=tenant)
    record(tenant, [(lead.pk, spring.pk, at(5))])
    assert record(tenant, [(lead.pk, spring.pk, at(1))]) == 1
    assert [t[1] for t in history(lead)] == [at(1), at(5)]


def test_no_touches_record_nothing(tenant):
    assert record(tenant, []) == 0
    assert not CampaignTouch.all_tenants.exists()


def test_an_event_names_a_campaign_by_id_and_by_slug():
    assert campaigns_named_by({"campaign": 7, "utm_campaign": "  Spring "}) == [7, "spring"]
    assert campaigns_named_by({"campaign": True, "utm_campaign": "   "}) == []
    assert campaigns_named_by({"campaign": "7", "utm_campaign": 7}) == []
    assert campaigns_named_by({}) == []


def test_only_the_tenant_s_campaigns_are_found_by_id_or_slug(tenant, other_tenant, spring, autumn):
    theirs = CampaignFactory(tenant=other_tenant, slug="winter")
    with tenant_scope(tenant):
        assert campaign_ids_of(["spring"]) == {"spring": spring.pk}
        assert campaign_ids_of([autumn.pk]) == {autumn.pk: autumn.pk}
        assert campaign_ids_of([spring.pk, "autumn", "winter", theirs.pk, 0]) == {
            spring.pk: spring.pk, "autumn": autumn.pk,
        }  # fmt: skip
        assert campaign_ids_of([]) == {}


def test_touches_of_one_instant_are_written_in_campaign_order(tenant):
    # Reports break ties between touches of one instant by their order of writing.
    campaigns = [CampaignFactory(tenant=tenant) for _ in range(5)]
    lead = LeadFactory(tenant=tenant)
    assert record(tenant, [(lead.pk, c.pk, at(1)) for c in reversed(campaigns)]) == 5
    assert [t[0] for t in history(lead)] == [c.pk for c in campaigns]
