import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from rest_framework.test import APIClient

from leads.models import Lead, Stage
from smarketing.tenancy.models import AuditEntry, Membership
from smarketing.tenancy.roles import Role
from smarketing.tenancy.scope import tenant_scope
from tests.factories import ApiKeyFactory
from tests.leads.factories import LeadFactory

pytestmark = pytest.mark.django_db


def _membership(tenant, user) -> Membership:
    with tenant_scope(tenant):
        return Membership.objects.get(user=user)


def test_members_list_shows_role_last_login_away_and_capacity(tenant, admin_api, member):
    rep = member(tenant, Role.SALES_REP)
    body = admin_api.get("/api/v1/members/").json()
    assert set(body) == {"next", "previous", "results"}
    row = next(item for item in body["results"] if item["email"] == rep.email)
    assert row == {
        **row,
        "role": "sales_rep",
        "away": False,
        "capacity": 20,
        "capacity_is_default": True,
        "is_active": True,
        "last_login": None,
    }


def test_admin_changes_a_role_and_it_takes_effect_on_the_next_request(
    tenant, admin_api, member, api_client_for
):
    rep = member(tenant, Role.SALES_REP)
    rep_api = api_client_for(tenant, user=rep)
    assert rep_api.get("/api/v1/me/").json()["role"] == "sales_rep"
    membership = _membership(tenant, rep)
    response = admin_api.patch(
        f"/api/v1/members/{membership.pk}/", {"role": "manager"}, format="json"
    )
    assert response.status_code == 200 and response.json()["role"] == "manager"
    assert rep_api.get("/api/v1/me/").json()["role"] == "manager"
    with tenant_scope(tenant):
        entry = AuditEntry.objects.get(action="member.role_changed")
    assert entry.changes == {"role": ["sales_rep", "manager"]}
    assert entry.actor_label == "admin@acme.example" and entry.ip == "127.0.0.1"


def test_deactivation_ends_sessions_refuses_keys_and_hands_on_unaccepted_sqls(
    tenant, admin_api, member, django_capture_on_commit_callbacks
):
    leaving = member(tenant, Role.SALES_REP)
    staying = member(tenant, Role.SALES_REP)
    issued = ApiKeyFactory.issue(tenant=tenant, user=leaving)
    browser = Client()
    browser.force_login(leaving)
    assert browser.get(f"/t/{tenant.slug}/queue/").status_code == 200
    routed = LeadFactory(tenant=tenant, stage=Stage.SQL, owner=leaving)
    accepted = LeadFactory(
        tenant=tenant, stage=Stage.SQL, owner=leaving, accepted_at="2026-12-01T10:00:00Z"
    )
    membership = _membership(tenant, leaving)
    admin_api.patch(f"/api/v1/members/{membership.pk}/", {"capacity": 3}, format="json")
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_api.patch(
            f"/api/v1/members/{membership.pk}/", {"is_active": False}, format="json"
        )
    assert response.status_code == 200 and response.json()["is_active"] is False
    key_client = APIClient()
    key_client.credentials(HTTP_AUTHORIZATION=f"Bearer {issued.raw_key}")
    assert key_client.get("/api/v1/me/").status_code == 401
    assert not any(
        s.get_decoded().get("_auth_user_id") == str(leaving.pk) for s in Session.objects.all()
    )
    assert browser.get(f"/t/{tenant.slug}/queue/").status_code == 302  # to the login page
    with tenant_scope(tenant):
        assert Lead.objects.get(pk=routed.pk).owner_id == staying.pk
        assert Lead.objects.get(pk=accepted.pk).owner_id == leaving.pk  # accepted, not breached
        actions = list(AuditEntry.objects.values_list("action", flat=True))
    assert "member.deactivated" in actions and "api_key.revoked" in actions
    # The routing settings still save: they name no deactivated member.
    routing = admin_api.put(
        "/api/v1/routing/", {"mode": "capacity", "default_capacity": 5}, format="json"
    )
    assert routing.status_code == 200
    with tenant_scope(tenant):
        from leads.routing.models import RoutingSettings

        assert str(leaving.pk) not in RoutingSettings.objects.get().capacities


def test_the_last_admin_cannot_deactivate_or_demote_themselves(tenant, admin, admin_api):
    membership = _membership(tenant, admin)
    for body in ({"is_active": False}, {"role": "manager"}):
        response = admin_api.patch(f"/api/v1/members/{membership.pk}/", body, format="json")
        assert response.status_code == 400
        assert "at least one active admin" in response.json()["detail"]


def test_managers_set_away_and_capacity_but_not_roles(tenant, member, api_client_for):
    rep = member(tenant, Role.SALES_REP)
    manager_api = api_client_for(tenant, Role.MANAGER)
    pk = _membership(tenant, rep).pk
    response = manager_api.patch(
        f"/api/v1/members/{pk}/", {"away": True, "capacity": 5}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["away"] is True and response.json()["capacity"] == 5
    assert (
        manager_api.patch(f"/api/v1/members/{pk}/", {"role": "admin"}, format="json").status_code
        == 403
    )
    assert (
        manager_api.patch(f"/api/v1/members/{pk}/", {"is_active": False}, format="json").status_code
        == 403
    )


@pytest.mark.parametrize("role", [Role.MARKETER, Role.SALES_REP])
def test_other_roles_may_not_list_or_change_members(tenant, member, api_client_for, role):
    client = api_client_for(tenant, role)
    pk = _membership(tenant, member(tenant, Role.SALES_REP)).pk
    assert client.get("/api/v1/members/").status_code == 403
    assert client.patch(f"/api/v1/members/{pk}/", {"away": True}, format="json").status_code == 403


def test_members_page_changes_a_role_with_csrf(tenant, admin, member):
    rep = member(tenant, Role.SALES_REP)
    pk = _membership(tenant, rep).pk
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin)
    page = client.get(f"/t/{tenant.slug}/settings/members/")
    assert page.status_code == 200 and rep.email in page.content.decode()
    assert (
        client.post(f"/t/{tenant.slug}/settings/members/{pk}/", {"role": "manager"}).status_code
        == 403
    )  # no CSRF token
    token = page.cookies["csrftoken"].value
    client.post(
        f"/t/{tenant.slug}/settings/members/{pk}/",
        {"role": "manager", "csrfmiddlewaretoken": token},
    )
    assert _membership(tenant, rep).role == "manager"


def test_settings_pages_are_for_admins(tenant, member):
    for role, expected in ((Role.MARKETER, 403), (Role.SALES_REP, 403), (Role.ADMIN, 200)):
        client = Client()
        client.force_login(member(tenant, role))
        for page in ("api-keys/", "tenant/", "audit/", "rejection-reasons/"):
            assert client.get(f"/t/{tenant.slug}/settings/{page}").status_code == expected, page
    manager = Client()
    manager.force_login(member(tenant, Role.MANAGER))
    assert manager.get(f"/t/{tenant.slug}/settings/members/").status_code == 200
    assert manager.get(f"/t/{tenant.slug}/settings/api-keys/").status_code == 403


def test_a_deactivated_member_who_logs_in_again_cannot_open_the_tenant(tenant, admin_api, member):
    leaving = member(tenant, Role.MARKETER)
    pk = _membership(tenant, leaving).pk
    admin_api.patch(f"/api/v1/members/{pk}/", {"is_active": False}, format="json")
    client = Client()
    client.force_login(leaving)
    assert client.get(f"/t/{tenant.slug}/leads/").status_code == 404
    assert client.get("/api/v1/leads/", HTTP_X_TENANT=tenant.slug).status_code == 404
    admin_api.patch(f"/api/v1/members/{pk}/", {"is_active": True}, format="json")
    assert client.get(f"/t/{tenant.slug}/leads/").status_code == 200


def test_a_deactivated_reps_breached_accepted_sqls_go_to_another_rep(tenant, admin_api, member):
    from sla.models import ObligationStatus
    from tests.sla.factories import ObligationFactory

    leaving = member(tenant, Role.SALES_REP)
    staying = member(tenant, Role.SALES_REP)
    breached = LeadFactory(
        tenant=tenant, stage=Stage.SQL, owner=leaving, accepted_at="2026-12-01T10:00:00Z"
    )
    on_time = LeadFactory(
        tenant=tenant, stage=Stage.SQL, owner=leaving, accepted_at="2026-12-01T10:00:00Z"
    )
    ObligationFactory(
        tenant=tenant,
        lead=breached,
        kind="first_touch",
        owner=leaving,
        status=ObligationStatus.BREACHED,
        breached_at="2026-12-02T10:00:00Z",
    )
    ObligationFactory(tenant=tenant, lead=on_time, kind="first_touch", owner=leaving)
    pk = _membership(tenant, leaving).pk
    assert (
        admin_api.patch(f"/api/v1/members/{pk}/", {"is_active": False}, format="json").status_code
        == 200
    )
    with tenant_scope(tenant):
        assert Lead.objects.get(pk=breached.pk).owner_id == staying.pk
        assert Lead.objects.get(pk=on_time.pk).owner_id == leaving.pk
