"""Recording engagement events and sales touches: what a caller reads for each refused item,
the time limits at their exact edges, and what a recorded event writes."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from leads.errors import IllegalTransition, InvalidLeadData, NotAllowed
from leads.models import CampaignTouch, Lead, LeadEvent, Stage
from leads.services import lead_events_record, lead_touch_log
from smarketing.tenancy.actors import Actor
from smarketing.tenancy.roles import INTEGRATION, Role
from smarketing.tenancy.scope import tenant_scope
from tests.leads.factories import CampaignFactory, LeadFactory
from tests.leads.helpers import heard

pytestmark = pytest.mark.django_db

NOW = datetime(2027, 3, 22, 10, 0, tzinfo=UTC)
INTEGRATION_KEY = Actor(user=None, role=INTEGRATION, label="key")


def record(tenant, items, actor=INTEGRATION_KEY):
    with tenant_scope(tenant):
        return [result.as_dict() for result in
                lead_events_record(tenant=tenant, actor=actor, items=items)]  # fmt: skip


def errors_of(tenant, item, actor=INTEGRATION_KEY):
    [result] = record(tenant, [item], actor)
    assert result["status"] == "error", result
    return result["errors"]


@pytest.fixture
def lead(tenant, clock):
    clock.set(NOW)
    return LeadFactory(tenant=tenant, email="ada@x.com")


@pytest.fixture
def rep(tenant, member):
    return Actor.member(member(tenant, Role.SALES_REP), Role.SALES_REP)


def at(moment):
    return moment.isoformat()


def test_each_refused_event_says_what_is_wrong_with_it(tenant, lead):
    view = {"lead_id": lead.pk, "type": "page_view", "occurred_at": at(NOW)}
    assert record(tenant, ["page_view"])[0]["errors"] == {
        "non_field_errors": ["Each event must be a JSON object."]
    }
    assert errors_of(tenant, {**view, "source": "ads"}) == {"source": ["Unknown field."]}
    assert errors_of(tenant, {**view, "lead_id": None}) == {
        "lead_id": ["Name the lead with lead_id or email."]
    }
    assert errors_of(tenant, {**view, "lead_id": ""}) == {
        "lead_id": ["Name the lead with lead_id or email."]
    }
    assert errors_of(tenant, {**view, "lead_id": True}) == {"lead_id": ["Must be an integer."]}
    assert errors_of(tenant, {**view, "lead_id": str(lead.pk)}) == {
        "lead_id": ["Must be an integer."]
    }
    assert errors_of(tenant, {**view, "lead_id": None, "email": 7}) == {
        "email": ["Must be a string."]
    }
    assert errors_of(tenant, {**view, "type": "telepathy"}) == {
        "type": [
            "Unknown type 'telepathy'; use one of page_view, form_submit, email_open, "
            "email_click, download, webinar, call, email, meeting."
        ]
    }
    assert errors_of(tenant, {**view, "properties": [1]}) == {"properties": ["Must be an object."]}
    assert errors_of(tenant, {**view, "lead_id": lead.pk + 1000}) == {
        "lead_id": ["No lead with this lead id."]
    }
    assert errors_of(tenant, {**view, "lead_id": None, "email": "nobody@x.com"}) == {
        "email": ["No lead with this email."]
    }
    assert not LeadEvent.all_tenants.exists()


def test_an_event_without_a_time_or_with_a_time_that_is_no_date_is_refused(tenant, lead):
    view = {"lead_id": lead.pk, "type": "page_view"}
    assert errors_of(tenant, view) == {
        "occurred_at": ["Must be an ISO 8601 date-time with an offset, e.g. 2027-03-01T10:00:00Z."]
    }
    assert errors_of(tenant, {**view, "occurred_at": "yesterday"}) == {
        "occurred_at": ["'yesterday' is not an ISO 8601 date-time."]
    }
    # Shaped like a date-time, but no such day: the parser raises rather than answering None.
    assert errors_of(tenant, {**view, "occurred_at": "2027-02-30T10:00:00Z"}) == {
        "occurred_at": ["'2027-02-30T10:00:00Z' is not an ISO 8601 date-time."]
    }
    assert errors_of(tenant, {**view, "occurred_at": "2027-03-22T10:00:00"}) == {
        "occurred_at": ["Give the time with an offset (Z or +01:00): naive times are ambiguous."]
    }
    assert errors_of(tenant, {**view, "occurred_at": "0001-01-01T00:30:00+23:00"}) == {
        "occurred_at": ["The date-time is out of range."]
    }


def test_an_unknown_type_is_the_only_complaint_about_an_old_event(tenant, lead):
    old = {"lead_id": lead.pk, "type": "telepathy", "occurred_at": at(NOW - timedelta(days=400))}
    assert set(errors_of(tenant, old)) == {"type"}


def test_a_lead_named_by_an_empty_id_is_found_by_its_email(tenant, lead):
    [result] = record(tenant, [{"lead_id": "", "email": "ADA@x.com", "type": "page_view",
                                "occurred_at": at(NOW)}])  # fmt: skip
    assert result == {"index": 0, "status": "recorded",
                      "id": LeadEvent.all_tenants.get().pk, "lead_id": lead.pk}  # fmt: skip


def test_the_clock_skew_allowance_ends_exactly_five_minutes_ahead(tenant, lead):
    results = record(tenant, [
        {"lead_id": lead.pk, "type": "page_view", "occurred_at": at(NOW + timedelta(minutes=5))},
        {"lead_id": lead.pk, "type": "page_view",
         "occurred_at": at(NOW + timedelta(minutes=5, microseconds=1))},
    ])  # fmt: skip
    assert [r["status"] for r in results] == ["recorded", "error"]
    assert results[1]["errors"] == {
        "occurred_at": [
            "This is in the future (at most 5 minutes ahead are allowed for clock skew)."
        ]
    }


def test_engagement_is_back_filled_for_exactly_a_year(tenant, lead):
    year = timedelta(days=365)
    results = record(tenant, [
        {"lead_id": lead.pk, "type": "webinar", "occurred_at": at(NOW - year)},
        {"lead_id": lead.pk, "type": "webinar",
         "occurred_at": at(NOW - year - timedelta(seconds=1))},
    ])  # fmt: skip
    assert [r["status"] for r in results] == ["recorded", "error"]
    assert results[1]["errors"] == {"occurred_at": ["Events older than 365 days are not recorded."]}


def test_a_touch_is_logged_for_exactly_a_week_after_it_happened(tenant, lead, rep):
    week = timedelta(days=7)
    results = record(tenant, [
        {"lead_id": lead.pk, "type": "call", "occurred_at": at(NOW - week)},
        {"lead_id": lead.pk, "type": "call", "occurred_at": at(NOW - week - timedelta(seconds=1))},
    ], rep)  # fmt: skip
    assert [r["status"] for r in results] == ["recorded", "error"]
    assert results[1]["errors"] == {
        "occurred_at": ["A touch can be logged at most 7 days after it happened."]
    }


def test_a_touch_may_be_logged_at_the_instant_of_acceptance_not_before(tenant, rep, clock):
    clock.set(NOW)
    accepted_at = NOW - timedelta(hours=1)
    lead = LeadFactory(tenant=tenant, stage=Stage.SQL, owner=rep.user, accepted_at=accepted_at)
    results = record(tenant, [
        {"lead_id": lead.pk, "type": "call", "occurred_at": at(accepted_at)},
        {"lead_id": lead.pk, "type": "call", "occurred_at": at(accepted_at - timedelta(seconds=1))},
    ], rep)  # fmt: skip
    assert [r["status"] for r in results] == ["recorded", "error"]
    assert results[1]["errors"] == {
        "occurred_at": ["A touch cannot predate the lead's acceptance (2027-03-22T09:00:00+00:00)."]
    }


def test_an_integration_is_told_that_only_the_sales_side_logs_touches(tenant, lead):
    assert errors_of(tenant, {"lead_id": lead.pk, "type": "meeting", "occurred_at": at(NOW)}) == {
        "type": ["Only people on the sales side log calls, e-mails and meetings; an integration "
                 "reports engagement only."]
    }  # fmt: skip


def test_a_thousand_events_are_one_request_and_more_are_refused(tenant, lead):
    item = {"email": "nobody@x.com", "type": "page_view", "occurred_at": at(NOW)}
    assert len(record(tenant, [item] * 1000)) == 1000
    with pytest.raises(InvalidLeadData) as refused:
        record(tenant, [item] * 1001)
    assert refused.value.errors == {"items": ["At most 1000 events per request."]}


def test_the_api_answers_each_item_with_its_index_status_and_ids(tenant, lead, api_client_for):
    body = api_client_for(tenant).post("/api/v1/events/", [
        {"email": "ada@x.com", "type": "download", "occurred_at": at(NOW)},
        {"email": "nobody@x.com", "type": "download", "occurred_at": at(NOW)},
    ], format="json").json()  # fmt: skip
    event = LeadEvent.all_tenants.get()
    assert body == {
        "recorded": 1,
        "failed": 1,
        "results": [
            {"index": 0, "status": "recorded", "id": event.pk, "lead_id": lead.pk},
            {"index": 1, "status": "error", "errors": {"email": ["No lead with this email."]}},
        ],
    }
    assert (event.type, event.occurred_at, event.properties) == ("download", NOW, {})


def test_events_bump_each_lead_s_last_activity_to_its_newest_event(tenant, lead):
    other = LeadFactory(tenant=tenant, email="bob@x.com", last_activity_at=NOW)
    record(tenant, [
        {"lead_id": lead.pk, "type": "page_view", "occurred_at": at(NOW - timedelta(hours=3))},
        {"lead_id": lead.pk, "type": "download", "occurred_at": at(NOW - timedelta(hours=1))},
        {"lead_id": other.pk, "type": "webinar", "occurred_at": at(NOW - timedelta(hours=2))},
    ])  # fmt: skip
    last = dict(Lead.all_tenants.values_list("email", "last_activity_at"))
    # An older event never moves the time back.
    assert last == {"ada@x.com": NOW - timedelta(hours=1), "bob@x.com": NOW}


def test_a_batch_bumps_the_last_activity_of_all_its_leads_in_one_statement(tenant, lead):
    others = [LeadFactory(tenant=tenant) for _ in range(2)]
    items = [{"lead_id": x.pk, "type": "page_view", "occurred_at": at(NOW)}
             for x in [lead, *others]]  # fmt: skip
    with CaptureQueriesContext(connection) as captured:
        record(tenant, items)
    bumps = [q["sql"] for q in captured if "SET last_activity_at" in q["sql"]]
    assert len(bumps) == 1
    assert set(Lead.all_tenants.values_list("last_activity_at", flat=True)) == {NOW}


def test_a_batch_announces_per_lead_its_event_types_and_newest_time(tenant, lead, rep, monkeypatch):
    announced = heard(monkeypatch, "lead.activity")
    record(tenant, [
        {"lead_id": lead.pk, "type": "page_view", "occurred_at": at(NOW - timedelta(hours=2))},
        {"lead_id": lead.pk, "type": "download", "occurred_at": at(NOW - timedelta(hours=1))},
        {"lead_id": lead.pk, "type": "page_view", "occurred_at": at(NOW - timedelta(hours=3))},
    ])  # fmt: skip
    record(tenant, [{"lead_id": lead.pk, "type": "email", "occurred_at": at(NOW)}], rep)
    assert [(d["lead_id"], d["types"], d["latest_at"], d["sales_touch"]) for d in announced] == [
        (lead.pk, ["download", "page_view"], NOW - timedelta(hours=1), False),
        (lead.pk, ["email"], NOW, True),
    ]
    # The events themselves, per lead, for the handlers (scoring weighs each one).
    assert [[e.type for e in d["context"]["events_by_lead"][lead.pk]] for d in announced] == [
        ["page_view", "download", "page_view"],
        ["email"],
    ]


def test_an_event_naming_a_campaign_adds_it_to_the_lead_s_history(tenant, lead):
    spring = CampaignFactory(tenant=tenant, slug="spring")
    autumn = CampaignFactory(tenant=tenant, slug="autumn")
    record(tenant, [
        {"lead_id": lead.pk, "type": "page_view", "occurred_at": at(NOW - timedelta(hours=2)),
         "properties": {"utm_campaign": " Spring "}},
        {"lead_id": lead.pk, "type": "page_view", "occurred_at": at(NOW - timedelta(hours=1)),
         "properties": {"campaign": autumn.pk}},
        {"lead_id": lead.pk, "type": "page_view", "occurred_at": at(NOW),
         "properties": {"utm_campaign": "nope", "campaign": True}},
    ])  # fmt: skip
    touches = CampaignTouch.all_tenants.filter(lead=lead).order_by("at")
    assert [(t.campaign_id, t.at, t.source) for t in touches] == [
        (spring.pk, NOW - timedelta(hours=2), "event"),
        (autumn.pk, NOW - timedelta(hours=1), "event"),
    ]


def test_a_logged_touch_keeps_its_note_and_no_note_is_no_property(tenant, lead, rep):
    with tenant_scope(tenant):
        noted = lead_touch_log(lead=lead, actor=rep, type="call", note="Voicemail")
        bare = lead_touch_log(lead=lead, actor=rep, type="meeting")
    assert (noted.properties, noted.occurred_at, noted.actor) == ({"note": "Voicemail"}, NOW,
                                                                  rep.user)  # fmt: skip
    assert (bare.type, bare.properties) == ("meeting", {})


def test_a_touch_log_refuses_what_is_no_touch_whom_it_is_not_for_and_closed_leads(
    tenant, lead, rep, member
):
    marketer = Actor.member(member(tenant, Role.MARKETER), Role.MARKETER)
    won = LeadFactory(tenant=tenant, stage=Stage.WON)
    with tenant_scope(tenant):
        with pytest.raises(InvalidLeadData) as not_a_touch:
            lead_touch_log(lead=lead, actor=rep, type="webinar")
        with pytest.raises(
            NotAllowed, match=r"^Only sales reps, managers and admins log touches\.$"
        ):
            lead_touch_log(lead=lead, actor=marketer, type="call")
        with pytest.raises(
            IllegalTransition, match=r"^This lead is won: touches are logged on open leads\.$"
        ):
            lead_touch_log(lead=won, actor=rep, type="call")
        with pytest.raises(InvalidLeadData) as too_late:
            lead_touch_log(lead=lead, actor=rep, type="call", occurred_at=NOW - timedelta(days=8))
    assert not_a_touch.value.errors == {"type": ["A touch is a call, an e-mail or a meeting."]}
    assert too_late.value.errors == {
        "occurred_at": ["A touch can be logged at most 7 days after it happened."]
    }
    assert not LeadEvent.all_tenants.exists()
