"""Rejections pushed to marketing: the marketer who handed the lead off hears why sales sent
it back (`lead.rejected`), in the app and by e-mail as they chose, and, if they opt in, in a
daily digest. A system hand-off is the campaign owner's, else every marketer's."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail

from leads import services as leads
from leads.digest.models import RejectionDigest
from leads.digest.services import rejection_digests_send
from leads.models import Lead, Stage
from smarketing.notifications.models import Notification
from smarketing.notifications.services import notification_preferences_set
from smarketing.tenancy.actors import Actor
from smarketing.tenancy.models import Tenant
from smarketing.tenancy.roles import Role
from smarketing.tenancy.scope import tenant_scope
from tests.leads.factories import CampaignFactory, LeadFactory
from tests.scopes import deployed

pytestmark = pytest.mark.django_db

digests_send = deployed(rejection_digests_send)


@pytest.fixture
def people(tenant, member):
    return {
        "mara": member(tenant, Role.MARKETER, email="mara@acme.example"),
        "marco": member(tenant, Role.MARKETER, email="marco@acme.example"),
        "rep": member(tenant, Role.SALES_REP, email="rita@acme.example"),
    }


def hand_off(tenant, actor, **fields):
    lead = LeadFactory(tenant=tenant, stage=Stage.MQL, first_name="Giulia", last_name="Rossi",
                       company="Officine Rossi", **fields)  # fmt: skip
    with tenant_scope(tenant):
        leads.lead_transition(lead=lead, to=Stage.SQL, actor=actor)
    return lead


def reject(tenant, lead, rep, reason="bad_fit", note="A student, not a buyer."):
    with tenant_scope(tenant):
        fresh = Lead.objects.get(pk=lead.pk)
        leads.lead_reject(lead=fresh, actor=Actor.member(rep, Role.SALES_REP),
                          reason_code=reason, note=note)  # fmt: skip


def told(kind="lead.rejected"):
    return {n.user_id: n for n in Notification.all_tenants.filter(kind=kind)}


def test_the_marketer_who_handed_the_lead_off_hears_the_reason_the_note_and_the_link(
    tenant, people, relay
):
    lead = hand_off(tenant, Actor.member(people["mara"], Role.MARKETER))
    reject(tenant, lead, people["rep"])
    relay()

    notes = told()
    assert set(notes) == {people["mara"].pk}  # not the other marketer, not the rep
    note = notes[people["mara"].pk]
    assert note.title == "Lead rejected by sales: Giulia Rossi (Officine Rossi) — Bad fit"
    assert note.body == ("rita@acme.example sent it back to marketing: Bad fit. "
                         "“A student, not a buyer.”")  # fmt: skip
    assert note.url == f"/t/{tenant.slug}/leads/{lead.pk}/"
    assert (note.in_app, note.email) == (True, True)


def test_a_system_hand_off_is_the_campaign_owners_else_every_marketers(tenant, people, relay):
    owned = CampaignFactory(tenant=tenant, owner=people["marco"])
    by_score = hand_off(tenant, Actor.system(), campaign=owned)
    orphan = hand_off(tenant, Actor.system(), email="orphan@prospect.example")
    reject(tenant, by_score, people["rep"])
    reject(tenant, orphan, people["rep"])
    relay()
    rows = Notification.all_tenants.filter(kind="lead.rejected")
    assert sorted(rows.filter(url__endswith=f"/{by_score.pk}/").values_list("user_id", flat=True)) \
        == [people["marco"].pk]  # fmt: skip
    assert sorted(rows.filter(url__endswith=f"/{orphan.pk}/").values_list("user_id", flat=True)) \
        == sorted([people["mara"].pk, people["marco"].pk])  # fmt: skip


def test_a_marketer_who_left_hands_over_to_the_campaign_owner(tenant, people, relay):
    from smarketing.tenancy.models import Membership

    owned = CampaignFactory(tenant=tenant, owner=people["marco"])
    lead = hand_off(tenant, Actor.member(people["mara"], Role.MARKETER), campaign=owned)
    Membership.all_tenants.filter(user=people["mara"]).update(is_active=False)
    reject(tenant, lead, people["rep"])
    relay()
    assert set(told()) == {people["marco"].pk}


def test_a_cold_recycle_is_no_rejection_and_tells_nobody(tenant, people, relay):
    from leads.models import RejectionReason

    RejectionReason.all_tenants.get_or_create(tenant=tenant, code="went_cold",
                                              defaults={"label": "Went cold"})  # fmt: skip
    lead = hand_off(tenant, Actor.member(people["mara"], Role.MARKETER))
    with tenant_scope(tenant):
        leads.lead_transition(lead=Lead.objects.get(pk=lead.pk), to=Stage.RECYCLED,
                              actor=Actor.system(), reason_code="went_cold")  # fmt: skip
    relay()
    assert told() == {}


def test_the_per_kind_preference_decides_app_e_mail_or_nothing(
    tenant, people, relay, django_capture_on_commit_callbacks
):
    notification_preferences_set(user=people["mara"], preferences={"lead.rejected": "email"})
    notification_preferences_set(user=people["marco"], preferences={"lead.rejected": "none"})
    mine = hand_off(tenant, Actor.member(people["mara"], Role.MARKETER))
    his = hand_off(tenant, Actor.member(people["marco"], Role.MARKETER),
                   email="other@prospect.example")  # fmt: skip
    reject(tenant, mine, people["rep"])
    reject(tenant, his, people["rep"])
    with django_capture_on_commit_callbacks(execute=True):
        relay()

    notes = told()
    assert set(notes) == {people["mara"].pk}
    assert (notes[people["mara"].pk].in_app, notes[people["mara"].pk].email) == (False, True)
    [message] = mail.outbox
    assert message.to == ["mara@acme.example"]
    assert "Bad fit" in message.subject
    assert "A student, not a buyer." in message.body


def test_a_preference_for_an_unknown_kind_is_refused():
    from smarketing.errors import DomainError

    with pytest.raises(DomainError):
        notification_preferences_set(user=None, preferences={"lead.rejection": "email"})


# --- the daily digest ------------------------------------------------------------------------

# Tenant in Los Angeles: 16 March 2027 runs from 07:00 UTC on the 16th to 07:00 on the 17th.
DAY = datetime(2027, 3, 16, 18, tzinfo=UTC)  # 11:00 in Los Angeles
NEXT_MORNING = datetime(2027, 3, 17, 14, 5, tzinfo=UTC)  # 07:05 in Los Angeles


def test_the_daily_digest_goes_once_to_those_who_opted_in_with_their_own_rejections(
    tenant, people, relay, clock
):
    Tenant.objects.filter(pk=tenant.pk).update(timezone="America/Los_Angeles")
    notification_preferences_set(user=people["mara"],
                                 preferences={"lead.rejected_digest": "in_app"})  # fmt: skip
    clock.set(DAY)
    for index in range(2):
        lead = hand_off(tenant, Actor.member(people["mara"], Role.MARKETER),
                        email=f"mine{index}@prospect.example")  # fmt: skip
        reject(tenant, lead, people["rep"])
    theirs = hand_off(tenant, Actor.member(people["marco"], Role.MARKETER),
                      email="his@prospect.example")  # fmt: skip
    reject(tenant, theirs, people["rep"])
    clock.set(NEXT_MORNING + timedelta(days=1))
    reject(tenant, hand_off(tenant, Actor.member(people["mara"], Role.MARKETER),
                            email="later@prospect.example"), people["rep"])  # fmt: skip

    assert digests_send(now=NEXT_MORNING - timedelta(minutes=10)) == 0  # 06:55 there
    assert digests_send(now=NEXT_MORNING) == 1
    assert digests_send(now=NEXT_MORNING + timedelta(hours=1)) == 0  # once a day
    relay()

    digests = told("lead.rejected_digest")
    assert set(digests) == {people["mara"].pk}  # marco did not opt in
    digest = digests[people["mara"].pk]
    assert digest.title == "2 leads rejected by sales on 2027-03-16"
    assert digest.body.count("Bad fit") == 2
    assert digest.url == f"/t/{tenant.slug}/feedback/"
    assert RejectionDigest.all_tenants.get().rejections == 3
