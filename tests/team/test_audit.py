import pytest
from django.db import transaction

from leads.models import RejectionReason
from smarketing.tenancy.actors import Actor
from smarketing.tenancy.audit import REDACTED, audit_record
from smarketing.tenancy.models import AuditEntry
from smarketing.tenancy.roles import Role
from smarketing.tenancy.scope import tenant_scope
from tests.leads.factories import LeadFactory, StageTransitionFactory

pytestmark = pytest.mark.django_db


def test_audit_list_filters_by_actor_action_and_dates(tenant, admin_api, api_client_for):
    admin_api.patch("/api/v1/tenant/", {"name": "Acme Robotics"}, format="json")
    manager_api = api_client_for(tenant, Role.MANAGER)
    manager_api.post("/api/v1/campaigns/", {"name": "Spring", "channel": "webinar"}, format="json")
    everything = admin_api.get("/api/v1/audit/").json()
    assert set(everything) == {"next", "previous", "results"}
    mine = admin_api.get("/api/v1/audit/?actor=admin@acme.example").json()["results"]
    assert [e["action"] for e in mine] == ["tenant.updated"]
    assert mine[0]["changes"] == {"name": ["Acme", "Acme Robotics"]}
    family = admin_api.get("/api/v1/audit/?action=campaign").json()["results"]
    assert [e["action"] for e in family] == ["campaign.created"]
    assert admin_api.get("/api/v1/audit/?from=2999-01-01").json()["results"] == []
    assert admin_api.get("/api/v1/audit/?to=2000-01-01").json()["results"] == []
    bad = admin_api.get("/api/v1/audit/?from=yesterday")
    assert bad.status_code == 400 and "from" in bad.json()["errors"]
    assert manager_api.get("/api/v1/audit/").status_code == 403


def test_secrets_are_redacted_wherever_they_appear(tenant, admin):
    with tenant_scope(tenant), transaction.atomic():
        entry = audit_record(
            tenant=tenant,
            actor=Actor.member(admin, Role.ADMIN),
            action="webhook.changed",
            target="webhook",
            changes={
                "secret": ["a", "b"],
                "nested": {"password": "pw"},
                "url": ["http://a", "http://b"],
            },
        )
    assert entry.changes == {
        "secret": REDACTED,
        "nested": {"password": REDACTED},
        "url": ["http://a", "http://b"],
    }


def test_a_webhook_created_through_the_api_is_audited_without_its_secret(
    tenant, admin_api, settings
):
    settings.WEBHOOKS_ALLOW_PRIVATE = True
    body = admin_api.post(
        "/api/v1/webhooks/",
        {"url": "http://127.0.0.1:9/hook", "events": ["lead.created"]},
        format="json",
    ).json()
    with tenant_scope(tenant):
        entry = AuditEntry.objects.get(action="webhook.created")
    assert body["secret"] not in str(entry.changes)


def test_audit_record_refuses_to_run_outside_the_change_transaction(tenant, admin):
    from django.db import connection

    if connection.in_atomic_block:  # the test database wraps every test in a transaction
        connection.in_atomic_block, restore = False, True
    else:
        restore = False
    try:
        with tenant_scope(tenant), pytest.raises(RuntimeError, match="inside the transaction"):
            audit_record(tenant=tenant, actor=Actor.system(), action="x.y", target="x")
    finally:
        connection.in_atomic_block = restore or connection.in_atomic_block


def test_a_refused_change_leaves_no_audit_row(tenant, admin_api):
    response = admin_api.patch(
        "/api/v1/tenant/", {"name": "New", "timezone": "Mars/Olympus"}, format="json"
    )
    assert response.status_code == 400 and "timezone" in response.json()["errors"]
    with tenant_scope(tenant):
        assert not AuditEntry.objects.filter(action="tenant.updated").exists()


def test_tenant_settings_are_validated_and_changed_by_admins_only(
    tenant, admin_api, api_client_for
):
    assert admin_api.get("/api/v1/tenant/").json() == {
        "slug": "acme",
        "name": "Acme",
        "timezone": "Europe/Rome",
        "country": "IT",
    }
    bad = admin_api.patch("/api/v1/tenant/", {"country": "XX", "slug": "evil"}, format="json")
    assert bad.status_code == 400 and set(bad.json()["errors"]) == {"slug"}
    bad = admin_api.patch("/api/v1/tenant/", {"country": "XX"}, format="json")
    assert bad.status_code == 400 and set(bad.json()["errors"]) == {"country"}
    ok = admin_api.patch(
        "/api/v1/tenant/", {"timezone": "America/New_York", "country": "us"}, format="json"
    )
    assert ok.json()["country"] == "US" and ok.json()["timezone"] == "America/New_York"
    assert api_client_for(tenant, Role.MANAGER).get("/api/v1/tenant/").status_code == 403


def test_rejection_reasons_add_rename_order_and_a_used_one_is_only_deactivated(
    tenant, admin_api, api_client_for
):
    created = admin_api.post(
        "/api/v1/rejection-reasons/", {"code": "timing", "label": "Bad timing"}, format="json"
    )
    assert created.status_code == 201 and created.json()["active"] is True
    pk = created.json()["id"]
    renamed = admin_api.patch(
        f"/api/v1/rejection-reasons/{pk}/", {"label": "Wrong timing", "position": 0}, format="json"
    ).json()
    assert renamed["label"] == "Wrong timing"
    ordered = [r["code"] for r in admin_api.get("/api/v1/rejection-reasons/").json()]
    assert ordered.index("timing") < ordered.index("no_budget")  # position 0 before 1
    StageTransitionFactory(tenant=tenant, lead=LeadFactory(tenant=tenant), reason_code="timing")
    refused = admin_api.delete(f"/api/v1/rejection-reasons/{pk}/")
    assert refused.status_code == 409 and refused.json()["code"] == "reason_in_use"
    admin_api.patch(f"/api/v1/rejection-reasons/{pk}/", {"active": False}, format="json")
    codes = [r["code"] for r in admin_api.get("/api/v1/rejection-reasons/").json()]
    assert "timing" not in codes
    assert "timing" in [r["code"] for r in admin_api.get("/api/v1/rejection-reasons/?all=1").json()]
    unused = admin_api.post(
        "/api/v1/rejection-reasons/", {"code": "spam", "label": "Spam"}, format="json"
    ).json()
    assert admin_api.delete(f"/api/v1/rejection-reasons/{unused['id']}/").status_code == 204
    with tenant_scope(tenant):
        assert not RejectionReason.objects.filter(code="spam").exists()
    rep = api_client_for(tenant, Role.SALES_REP)
    assert rep.get("/api/v1/rejection-reasons/").status_code == 200
    assert (
        rep.post(
            "/api/v1/rejection-reasons/", {"code": "a", "label": "A"}, format="json"
        ).status_code
        == 403
    )


def test_reasons_are_reordered_by_code_in_one_request_all_or_nothing(tenant, admin_api):
    response = admin_api.patch(
        "/api/v1/rejection-reasons/",
        [{"code": "competitor", "position": 0}, {"code": "bad_fit", "position": 9}],
        format="json",
    )
    assert response.status_code == 200
    codes = [r["code"] for r in response.json()]
    assert codes.index("competitor") < codes.index("no_budget") < codes.index("bad_fit")
    refused = admin_api.patch(
        "/api/v1/rejection-reasons/",
        [{"code": "competitor", "position": 5}, {"code": "nope", "label": "x"}],
        format="json",
    )
    assert refused.status_code == 409 and "[1].code" in refused.json()["errors"]
    single = admin_api.patch(
        "/api/v1/rejection-reasons/", [{"code": "competitor", "active": False}], format="json"
    )
    assert next(r for r in single.json() if r["code"] == "competitor")["position"] == 0


@pytest.mark.parametrize(
    ("remote", "stored"),
    [("10.0.0.7", "10.0.0.7"), ("::1", "::1"), ("", None), ("unix:/run/gunicorn", None)],
)
def test_the_address_is_taken_from_the_request_or_left_empty(remote, stored):
    from django.test import RequestFactory

    from smarketing.tenancy.actors import client_ip

    request = RequestFactory().get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR="6.6.6.6")
    assert client_ip(request) == stored


def test_behind_a_trusted_proxy_the_address_is_the_one_the_proxy_recorded(settings):
    from django.test import RequestFactory

    from smarketing.tenancy.actors import client_ip

    settings.TRUSTED_PROXY_COUNT = 1
    request = RequestFactory().get(
        "/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.9"
    )
    assert client_ip(request) == "203.0.113.9"
