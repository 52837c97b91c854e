"""SLA versions through the API: drafting, sign-off by both teams, activation, editing rules."""

from contextlib import contextmanager
from datetime import date, datetime, timedelta

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from sla.models import SlaStatus, SlaVersion, TenantCalendar
from sla.services import versions
from sla.services.versions import add_months, signable_sides, sla_review_reminders_send
from smarketing.events.models import OutboxEvent
from smarketing.tenancy.roles import Role
from smarketing.tenancy.scope import tenant_scope
from tests.scopes import across_tenants, deployed
from tests.sla.factories import ROME_OFFICE, SlaVersionFactory

pytestmark = pytest.mark.django_db

# Celery beat starts the reminders from the deployed connection defaults.
send_review_reminders = deployed(sla_review_reminders_send)

CONTRACT_PAYLOAD = {
    "name": "2027 H1", "accept_within_hours": 4, "first_touch_within_hours": 8,
    "hot_score": 80, "hot_accept_within_hours": 1, "hot_first_touch_within_hours": 2,
    "mql_threshold": 40, "sql_threshold": 70, "monthly_mql_target": 200,
    "monthly_sql_target": 80, "min_acceptance_rate": 0.6,
    "cold_after_days": {"mql": 14, "sql": 3, "opportunity": 30}, "auto_recycle_cold": True,
    "reroute_on_breach": True, "review_every_months": 3,
    "calendar": {"timezone": "Europe/Rome", "holiday_country": "IT", "closed_days": ["2027-08-16"],
                 "working_hours": {"mon": [["09:00", "13:00"], ["14:00", "18:00"]],
                                   "tue": [["09:00", "18:00"]], "wed": [["09:00", "18:00"]],
                                   "thu": [["09:00", "18:00"]], "fri": [["09:00", "18:00"]],
                                   "sat": [], "sun": []}},
}  # fmt: skip


@pytest.fixture
def manager(tenant, api_client_for):
    return api_client_for(tenant, Role.MANAGER)


def signed_draft(tenant, api_client_for, manager, **payload):
    version = manager.post("/api/v1/sla/", {"name": "v", **payload}, format="json").json()
    for role, side in ((Role.MARKETER, "marketing"), (Role.SALES_REP, "sales")):
        response = api_client_for(tenant, role).post(
            f"/api/v1/sla/{version['id']}/sign/", {"side": side}, format="json"
        )
        assert response.status_code == 200, response.json()
    return version


def test_a_manager_drafts_a_version_with_the_contract_payload(manager):
    response = manager.post("/api/v1/sla/", CONTRACT_PAYLOAD, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "draft"
    assert body["number"] == 2  # the tenant's default draft is number 1
    assert body["accept_within_hours"] == 4
    assert body["hot_accept_within_hours"] == 1
    assert body["min_acceptance_rate"] == 0.6
    assert body["cold_after_days"] == {"mql": 14, "sql": 3, "opportunity": 30}
    assert body["calendar"]["working_hours"]["mon"] == [["09:00", "13:00"], ["14:00", "18:00"]]
    assert body["calendar"]["closed_days"] == ["2027-08-16"]
    assert body["signatures"] == {"marketing": None, "sales": None}
    again = manager.post("/api/v1/sla/", {"name": "next"}, format="json").json()
    assert again["number"] == 3
    assert manager.get(f"/api/v1/sla/{again['id']}/").json()["name"] == "next"
    assert [v["number"] for v in manager.get("/api/v1/sla/").json()["results"]] == [3, 2, 1]


def test_a_draft_without_a_calendar_takes_the_tenants_office_hours(tenant, manager):
    with tenant_scope(tenant):
        office = TenantCalendar.objects.get(is_default=True)
        office.definition = {**ROME_OFFICE, "closed_days": ["2027-12-27"]}
        office.save(update_fields=["definition"])
    body = manager.post("/api/v1/sla/", {"name": "Office"}, format="json").json()
    assert body["calendar"]["timezone"] == "Europe/Rome"
    assert body["calendar"]["holiday_country"] == "IT"
    assert body["calendar"]["closed_days"] == ["2027-12-27"]
    assert body["accept_within_hours"] == 4  # the default terms


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"calendar": {"timezone": "Mars/Olympus"}}, "calendar"),
        ({"calendar": {"working_hours": {"mon": [["18:00", "09:00"]]}}}, "calendar"),
        ({"cold_after_days": {"won": 3}}, "cold_after_days"),
        ({"cold_after_days": {"sql": 0}}, "cold_after_days"),
        ({"accept_within_hours": 0}, "accept_within_hours"),
        ({"hot_accept_within_hours": 9}, "hot_accept_within_hours"),
        ({"mql_threshold": 80, "sql_threshold": 70}, "sql_threshold"),
        ({"min_acceptance_rate": 1.5}, "min_acceptance_rate"),
        ({"stage": "active"}, "stage"),
        ({"status": "active"}, "status"),
    ],
)
def test_invalid_terms_are_answered_400_naming_the_field(manager, change, field):
    response = manager.post("/api/v1/sla/", {**CONTRACT_PAYLOAD, **change}, format="json")
    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert not SlaVersion.all_tenants.exclude(name="Default SLA").exists()


def test_hot_deadlines_without_a_hot_score_are_refused_saying_what_to_do(manager):
    response = manager.post("/api/v1/sla/", {**CONTRACT_PAYLOAD, "hot_score": None}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"]["hot_score"] == [
        "Say from which score a lead is hot, or drop the hot deadlines."
    ]


@pytest.mark.parametrize(
    ("change", "errors"),
    [
        ({"hot_accept_within_hours": 5},
         {"hot_accept_within_hours": ["A hot lead's deadline cannot be longer than "
                                      "accept_within_hours."]}),
        ({"hot_first_touch_within_hours": 9},
         {"hot_first_touch_within_hours": ["A hot lead's deadline cannot be longer than "
                                           "first_touch_within_hours."]}),
        ({"mql_threshold": 71},
         {"sql_threshold": ["The SQL threshold cannot be below the MQL threshold."]}),
        # One hot deadline is enough to need the score.
        ({"hot_score": None, "hot_accept_within_hours": None},
         {"hot_score": ["Say from which score a lead is hot, or drop the hot deadlines."]}),
    ],
)  # fmt: skip
def test_terms_that_contradict_each_other_are_refused_saying_which_and_why(manager, change, errors):
    response = manager.post("/api/v1/sla/", {**CONTRACT_PAYLOAD, **change}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"] == errors


def test_terms_at_the_edge_of_those_rules_are_accepted(manager):
    edge = {"hot_accept_within_hours": 4, "hot_first_touch_within_hours": 8,
            "mql_threshold": 70, "sql_threshold": 70}  # fmt: skip
    no_hot = {"hot_score": None, "hot_accept_within_hours": None,
              "hot_first_touch_within_hours": None}  # fmt: skip
    for change in (edge, no_hot):
        response = manager.post("/api/v1/sla/", {**CONTRACT_PAYLOAD, **change}, format="json")
        assert response.status_code == 201, response.json()


def test_only_managers_and_admins_draft_versions(tenant, api_client_for):
    for role in (Role.MARKETER, Role.SALES_REP):
        response = api_client_for(tenant, role).post("/api/v1/sla/", {"name": "x"}, format="json")
        assert response.status_code == 403


def test_activation_needs_both_teams_to_sign(tenant, api_client_for, manager):
    version = manager.post("/api/v1/sla/", {"name": "v"}, format="json").json()
    marketer = api_client_for(tenant, Role.MARKETER)
    marketer.post(f"/api/v1/sla/{version['id']}/sign/", {"side": "marketing"}, format="json")
    response = manager.post(f"/api/v1/sla/{version['id']}/activate/")
    assert response.status_code == 409
    assert response.json()["code"] == "not_signed"
    assert response.json()["missing"] == ["sales"]
    rep = api_client_for(tenant, Role.SALES_REP)
    signed = rep.post(f"/api/v1/sla/{version['id']}/sign/", {"side": "sales"}, format="json")
    assert signed.json()["signatures"]["sales"]["by"]["email"] == rep.user.email
    assert signed.json()["signatures"]["marketing"]["by"]["email"] == marketer.user.email
    active = manager.post(f"/api/v1/sla/{version['id']}/activate/")
    assert active.status_code == 200
    assert active.json()["status"] == "active"
    assert active.json()["activated_by"]["email"] == manager.user.email


def test_a_member_signs_only_for_their_own_team(tenant, api_client_for, manager):
    version = manager.post("/api/v1/sla/", {"name": "v"}, format="json").json()
    url = f"/api/v1/sla/{version['id']}/sign/"
    marketer = api_client_for(tenant, Role.MARKETER)
    assert marketer.post(url, {"side": "sales"}, format="json").status_code == 403
    rep = api_client_for(tenant, Role.SALES_REP)
    assert rep.post(url, {"side": "marketing"}, format="json").status_code == 403
    integration = api_client_for(tenant)
    assert integration.post(url, {"side": "sales"}, format="json").status_code == 403
    assert marketer.post(url, {"side": "both"}, format="json").status_code == 400


def test_a_manager_may_sign_either_side_but_not_both(manager):
    version = manager.post("/api/v1/sla/", {"name": "v"}, format="json").json()
    url = f"/api/v1/sla/{version['id']}/sign/"
    assert manager.post(url, {"side": "sales"}, format="json").status_code == 200
    response = manager.post(url, {"side": "marketing"}, format="json")
    assert response.status_code == 403
    assert "someone else" in response.json()["detail"]


def test_a_side_signed_by_someone_is_not_signed_over(tenant, api_client_for, manager):
    version = manager.post("/api/v1/sla/", {"name": "v"}, format="json").json()
    url = f"/api/v1/sla/{version['id']}/sign/"
    first = api_client_for(tenant, Role.MARKETER)
    assert first.post(url, {"side": "marketing"}, format="json").status_code == 200
    assert first.post(url, {"side": "marketing"}, format="json").status_code == 200  # again: same
    second = api_client_for(tenant, Role.MARKETER)
    response = second.post(url, {"side": "marketing"}, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "already_signed"
    number = version["number"]
    assert response.json()["detail"] == f"Version {number} is signed for marketing already."


def test_activating_retires_the_version_in_force_and_sets_the_review_date(
    tenant, api_client_for, manager
):
    first = signed_draft(tenant, api_client_for, manager, review_every_months=3)
    manager.post(f"/api/v1/sla/{first['id']}/activate/")
    second = signed_draft(tenant, api_client_for, manager, review_every_months=6)
    body = manager.post(f"/api/v1/sla/{second['id']}/activate/").json()
    assert body["status"] == "active"
    today = timezone.now().date()
    assert date.fromisoformat(body["review_on"]) in {
        add_months(today, 6),
        add_months(today + timedelta(days=1), 6),
    }
    assert manager.get(f"/api/v1/sla/{first['id']}/").json()["status"] == "retired"
    assert SlaVersion.all_tenants.filter(tenant=tenant, status="active").count() == 1


def test_the_database_refuses_two_active_versions_in_one_tenant(tenant, other_tenant):
    SlaVersionFactory(tenant=tenant, active=True)
    SlaVersionFactory(tenant=other_tenant, active=True)  # another tenant: fine
    with pytest.raises(IntegrityError), transaction.atomic():
        SlaVersionFactory(tenant=tenant, active=True)


def test_only_drafts_are_edited_and_changes_void_the_sign_offs(tenant, api_client_for, manager):
    version = signed_draft(tenant, api_client_for, manager)
    url = f"/api/v1/sla/{version['id']}/"
    renamed = manager.patch(url, {"name": "Renamed"}, format="json").json()
    assert renamed["signatures"]["marketing"] is not None  # a new name changes no term
    changed = manager.patch(url, {"accept_within_hours": 2.5}, format="json").json()
    assert changed["accept_within_hours"] == 2.5
    assert changed["signatures"] == {"marketing": None, "sales": None}
    assert manager.post(f"{url}activate/").json()["code"] == "not_signed"

    active = signed_draft(tenant, api_client_for, manager)
    manager.post(f"/api/v1/sla/{active['id']}/activate/")
    response = manager.patch(f"/api/v1/sla/{active['id']}/", {"name": "x"}, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "not_a_draft"
    signing = manager.post(f"/api/v1/sla/{active['id']}/sign/", {"side": "sales"}, format="json")
    assert signing.json()["code"] == "not_a_draft"
    assert signing.json()["detail"] == (
        f"Version {active['number']} is active; only drafts are signed."
    )


def test_add_months_clamps_to_the_end_of_shorter_months():
    assert add_months(date(2027, 1, 31), 1) == date(2027, 2, 28)
    assert add_months(date(2027, 11, 30), 3) == date(2028, 2, 29)
    assert add_months(date(2027, 5, 15), 12) == date(2028, 5, 15)
    assert add_months(date(2027, 12, 15), 1) == date(2028, 1, 15)


def test_review_reminders_reach_managers_once(tenant, member):
    from sla.services import sla_review_reminders_send
    from smarketing.events.models import OutboxEvent

    boss = member(tenant, Role.MANAGER)
    SlaVersionFactory(tenant=tenant, active=True, review_on=date(2027, 4, 1))
    assert sla_review_reminders_send(today=date(2027, 3, 31)) == 0
    assert sla_review_reminders_send(today=date(2027, 4, 1)) == 1
    assert sla_review_reminders_send(today=date(2027, 4, 2)) == 0
    [event] = OutboxEvent.all_tenants.filter(event_type="sla.review_due")
    assert [person["email"] for person in event.data["notify"]] == [boss.email]


@pytest.fixture
def meanwhile(monkeypatch):
    """meanwhile(version, change): `change(version)` commits, as another run or an activation
    would, just before the reminders claim that version (they read what is due first)."""
    real_scope = versions.tenant_scope

    def arrange(version, change):
        @contextmanager
        def scope(tenant_id):
            if tenant_id == version.tenant_id:
                with across_tenants():
                    change(version)
            with real_scope(tenant_id):
                yield

        monkeypatch.setattr(versions, "tenant_scope", scope)

    return arrange


def review_events():
    return list(OutboxEvent.all_tenants.filter(event_type="sla.review_due").order_by("id"))


def test_the_review_reminder_names_the_version_and_its_review_date(tenant, member):
    boss = member(tenant, Role.MANAGER)
    version = SlaVersionFactory(tenant=tenant, active=True, name="2027 H1",
                                review_on=date(2027, 4, 1))  # fmt: skip
    assert send_review_reminders(today=date(2027, 4, 1)) == 1
    [event] = review_events()
    assert event.data == {"version": version.pk, "number": version.number, "name": "2027 H1",
                          "review_on": "2027-04-01",
                          "notify": [{"id": boss.pk, "email": boss.email}]}  # fmt: skip


def test_review_reminders_of_every_tenant_are_counted(tenant, other_tenant):
    for owner in (tenant, other_tenant):
        SlaVersionFactory(tenant=owner, active=True, review_on=date(2027, 4, 1))
    assert send_review_reminders(today=date(2027, 4, 1)) == 2
    assert sorted(event.tenant_id for event in review_events()) == sorted(
        [tenant.pk, other_tenant.pk]
    )


def test_a_reminder_another_run_sent_meanwhile_is_not_sent_again(tenant, other_tenant, meanwhile):
    reminded_elsewhere = SlaVersionFactory(tenant=tenant, active=True, review_on=date(2027, 4, 1))
    SlaVersionFactory(tenant=other_tenant, active=True, review_on=date(2027, 4, 1))

    def other_run(version):
        SlaVersion.all_tenants.filter(pk=version.pk).update(review_reminded_at=timezone.now())

    meanwhile(reminded_elsewhere, other_run)
    assert send_review_reminders(today=date(2027, 4, 1)) == 1
    assert [event.tenant_id for event in review_events()] == [other_tenant.pk]


def test_a_version_replaced_meanwhile_gets_no_reminder(tenant, meanwhile):
    old = SlaVersionFactory(tenant=tenant, active=True, review_on=date(2027, 4, 1))

    def replaced(version):
        SlaVersion.all_tenants.filter(pk=version.pk).update(status=SlaStatus.RETIRED)
        SlaVersionFactory(tenant=tenant, active=True, review_on=date(2027, 4, 1))

    meanwhile(old, replaced)
    assert send_review_reminders(today=date(2027, 4, 1)) == 0
    assert review_events() == []


def test_versions_not_due_for_a_reminder_cost_the_reminders_no_work(tenant, other_tenant):
    with CaptureQueriesContext(connection) as nothing_there:
        assert send_review_reminders(today=date(2027, 4, 1)) == 0
    SlaVersionFactory(tenant=tenant, status=SlaStatus.RETIRED, review_on=date(2027, 1, 1))
    SlaVersionFactory(tenant=other_tenant, active=True, review_on=date(2027, 1, 1),
                      review_reminded_at=timezone.now())  # fmt: skip
    with CaptureQueriesContext(connection) as nothing_due:
        assert send_review_reminders(today=date(2027, 4, 1)) == 0
    assert len(nothing_due) == len(nothing_there)


def test_no_side_is_offered_on_a_version_that_is_no_draft(tenant, member):
    boss = member(tenant, Role.MANAGER)
    draft = SlaVersionFactory(tenant=tenant)
    retired = SlaVersionFactory(tenant=tenant, status=SlaStatus.RETIRED)
    assert signable_sides(version=draft, role=Role.MANAGER, user_id=boss.pk) == [
        "marketing",
        "sales",
    ]
    assert signable_sides(version=retired, role=Role.MANAGER, user_id=boss.pk) == []


def test_versions_of_another_tenant_stay_invisible(tenant, other_tenant, api_client_for):
    mine = SlaVersion.all_tenants.filter(tenant=tenant).values_list("pk", flat=True)
    client = api_client_for(tenant, Role.MARKETER)
    assert [v["id"] for v in client.get("/api/v1/sla/").json()["results"]] == list(mine)
    theirs = SlaVersion.all_tenants.get(tenant=other_tenant)
    assert client.get(f"/api/v1/sla/{theirs.pk}/").status_code == 404


def test_hot_deadlines_apply_from_the_hot_score():
    version = SlaVersion(
        accept_within_hours=4, first_touch_within_hours=8, hot_score=80,
        hot_accept_within_hours=1, hot_first_touch_within_hours=None,
        calendar=dict(ROME_OFFICE),
    )  # fmt: skip
    monday_ten = datetime.fromisoformat("2027-03-22T10:00:00+01:00")
    assert version.deadline("accept", score=79, start=monday_ten).due_at == monday_ten + timedelta(
        hours=4
    )
    hot = version.deadline("accept", score=80, start=monday_ten)
    assert hot.due_at == monday_ten + timedelta(hours=1)
    assert hot.is_hot
    assert version.within_hours("first_touch", score=95) == 8  # no hot value: the normal one
