"""The audit log's rules: what a row holds, what is redacted and how the log is filtered
(smarketing/tenancy/audit*.py). The tenant settings it records: test_tenant_settings_rules.py."""

from __future__ import annotations

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import transaction
from django.utils import timezone

from smarketing.tenancy.actors import Actor
from smarketing.tenancy.audit import (
    REDACTED,
    _plain,
    audit_record,
    changes_between,
    is_secret,
    snapshot,
)
from smarketing.tenancy.audit_models import AuditEntry
from smarketing.tenancy.audit_selectors import audit_entries, parse_moment
from smarketing.tenancy.models import Tenant
from smarketing.tenancy.roles import Role
from smarketing.tenancy.scope import tenant_scope

ROME = ZoneInfo("Europe/Rome")


# --- what a row holds ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "secret"),
    [
        ("key", True),
        ("KEY", True),
        ("webhook_Secret", True),
        ("password_confirm", True),
        ("token", True),
        ("nonce_hash", True),
        ("hashed_key", True),
        ("raw_key", True),
        ("key_hash", True),
        ("api_key", False),
        ("monkey", False),
        ("name", False),
        ("prefix", False),
    ],
)
def test_which_fields_are_secret(field, secret):
    assert is_secret(field) is secret


def test_values_are_kept_as_plain_json():
    when = datetime.datetime(2026, 12, 4, 10, 30, tzinfo=datetime.UTC)
    assert _plain(when) == "2026-12-04T10:30:00+00:00"
    assert _plain(datetime.date(2026, 12, 4)) == "2026-12-04"
    assert _plain(Decimal("1.50")) == "1.50"
    assert _plain((1, "a", None)) == [1, "a", None]
    assert _plain(frozenset({3})) == [3]
    assert _plain({7: True, "token": "t", "inner": {"raw_key": "k", "n": 1.5}}) == {
        "7": True,
        "token": REDACTED,
        "inner": {"raw_key": REDACTED, "n": 1.5},
    }
    assert _plain(False) is False and _plain(0) == 0 and _plain("") == ""


@pytest.mark.django_db
def test_a_model_is_kept_by_its_label(tenant):
    assert _plain(tenant) == "Acme"


def test_changes_are_the_fields_that_differ_in_order():
    before = {"a": 1, "b": 2, "same": "x", "gone": "y"}
    after = {"b": 3, "same": "x", "new": 4, "gone": None}
    changes = changes_between(before, after)
    assert changes == {"a": [1, None], "b": [2, 3], "gone": ["y", None], "new": [None, 4]}
    assert list(changes) == ["a", "b", "gone", "new"]
    assert changes_between({"when": datetime.date(2026, 1, 1)}, {"when": "2026-01-01"}) == {}
    assert changes_between({}, {}) == {}


def test_a_snapshot_reads_the_named_fields():
    row = type("Row", (), {"a": 1, "b": 2, "c": 3})()
    assert snapshot(row, ["a", "c"]) == {"a": 1, "c": 3}


@pytest.mark.django_db
def test_a_row_records_actor_target_changes_and_address(tenant, admin):
    actor = Actor(user=admin, role=Role.ADMIN, label="x" * 300, ip="10.0.0.1")
    with tenant_scope(tenant), transaction.atomic():
        entry = audit_record(
            tenant=tenant.pk,
            actor=actor,
            action="thing.done",
            target=("thing", 42, "y" * 300),
            changes={"when": datetime.date(2026, 1, 2)},
        )
        by_model = audit_record(tenant=tenant, actor=actor, action="a.b", target=tenant, ip="::1")
        by_name = audit_record(tenant=tenant, actor=Actor.system(), action="a.c", target="routing")
        unsaved = audit_record(
            tenant=tenant, actor=Actor.system(), action="a.d", target=Tenant(name="D" * 300)
        )
    entry.refresh_from_db()
    assert (entry.tenant_id, entry.actor_id, entry.actor_role) == (tenant.pk, admin.pk, "admin")
    assert entry.actor_label == "x" * 254
    assert (entry.target_type, entry.target_id, entry.target_label) == ("thing", "42", "y" * 200)
    assert entry.changes == {"when": "2026-01-02"} and entry.ip == "10.0.0.1"
    assert (by_model.target_type, by_model.target_id, by_model.target_label) == (
        "tenant",
        str(tenant.pk),
        "Acme",
    )
    assert by_model.ip == "::1" and by_model.changes == {}
    assert (by_name.target_type, by_name.target_id, by_name.target_label) == ("routing", "", "")
    assert (by_name.actor_id, by_name.actor_label, by_name.actor_role, by_name.ip) == (
        None,
        "system",
        "system",
        None,
    )
    assert (unsaved.target_id, unsaved.target_label) == ("", "D" * 200)


@pytest.mark.django_db
def test_an_actor_without_a_label_is_recorded_by_its_role(tenant):
    with tenant_scope(tenant), transaction.atomic():
        entry = audit_record(
            tenant=tenant,
            actor=Actor(user=None, role="integration-with-a-long-name"),
            action="a.b",
            target="x",
        )
    assert entry.actor_label == "integration-with-a-long-name"
    assert entry.actor_role == "integration-with-a-l"  # the column holds 20


def test_a_row_reads_as_who_did_what_and_its_changes():
    entry = AuditEntry(
        actor_label="ana@acme.example",
        action="member.role_changed",
        target_type="membership",
        target_id="7",
        changes={
            "role": ["sales_rep", "manager"],
            "away": [None, True],
            "name": ["", "Acme"],
            "keys": ["a", "b", "c"],
            "reason": "replaced",
        },
    )
    assert str(entry) == "ana@acme.example member.role_changed membership:7"
    assert entry.change_lines() == [
        ("role", "sales_rep → manager"),
        ("away", "— → True"),
        ("name", "— → Acme"),
        ("keys", "['a', 'b', 'c']"),
        ("reason", "replaced"),
    ]
    assert AuditEntry(changes=None).change_lines() == []


# --- reading the log -----------------------------------------------------------------------


@pytest.mark.parametrize("value", ["", "   ", None, "yesterday", "2026-13-45", "2026-02-30"])
def test_what_is_no_moment(value):
    assert parse_moment(value) is None


def test_a_day_starts_at_midnight_of_the_current_timezone_and_ends_at_the_next():
    with timezone.override(ROME):
        assert parse_moment("2026-12-04") == datetime.datetime(2026, 12, 4, tzinfo=ROME)
        assert parse_moment(" 2026-12-04 ", end=True) == datetime.datetime(2026, 12, 5, tzinfo=ROME)
        assert parse_moment("2026-12-04T10:00") == datetime.datetime(2026, 12, 4, 10, tzinfo=ROME)
        # A date-time ends where it says, with or without `end`.
        assert parse_moment("2026-12-04T10:00", end=True) == datetime.datetime(
            2026, 12, 4, 10, tzinfo=ROME
        )
        offset = parse_moment("2026-12-04T10:00+02:00")
    assert offset == datetime.datetime(2026, 12, 4, 8, tzinfo=datetime.UTC)


@pytest.fixture
def log(tenant, admin):
    """Four rows an hour apart, from 2026-06-04 09:00 UTC."""
    start = datetime.datetime(2026, 6, 4, 9, tzinfo=datetime.UTC)
    rows = [
        ("admin@acme.example", "member.role_changed"),
        ("system", "membership.x"),
        ("ANA@acme.example", "member.joined"),
        ("admin@acme.example", "tenant.updated"),
    ]
    with tenant_scope(tenant):
        AuditEntry.objects.all().delete()
        for hour, (label, action) in enumerate(rows):
            AuditEntry.objects.create(
                tenant=tenant,
                actor_label=label,
                actor_role="admin",
                action=action,
                target_type="t",
                created_at=start + datetime.timedelta(hours=hour),
            )
    return start


def _actions(tenant, **filters) -> list[str]:
    with tenant_scope(tenant):
        return [e.action for e in audit_entries(**filters)]


@pytest.mark.django_db
def test_the_log_is_filtered_by_actor_action_family_and_time(tenant, log):
    hour = datetime.timedelta(hours=1)
    assert _actions(tenant) == [
        "tenant.updated",
        "member.joined",
        "membership.x",
        "member.role_changed",
    ]
    assert _actions(tenant, actor=" ana@ACME.example ") == ["member.joined"]
    assert _actions(tenant, action=" member ") == ["member.joined", "member.role_changed"]
    assert _actions(tenant, action="member.joined ") == ["member.joined"]
    assert _actions(tenant, action="member.joined", actor="admin@acme.example") == []
    assert _actions(tenant, since=log + hour) == ["tenant.updated", "member.joined", "membership.x"]
    assert _actions(tenant, until=log + hour) == ["member.role_changed"]
    assert _actions(tenant, since=log + hour, until=log + 3 * hour) == [
        "member.joined",
        "membership.x",
    ]


@pytest.mark.django_db
def test_the_api_filters_the_log_and_names_a_bad_date(tenant, log, admin_api):
    def actions(query):
        return [e["action"] for e in admin_api.get(f"/api/v1/audit/?{query}").json()["results"]]

    assert actions("from=2026-06-04T10:00:00Z&to=2026-06-04T12:00:00Z") == [
        "member.joined",
        "membership.x",
    ]
    assert actions("to=2026-06-04") == [
        "tenant.updated",
        "member.joined",
        "membership.x",
        "member.role_changed",
    ]
    assert actions("from=2026-06-05&to=2026-06-30") == []
    assert actions("to=2026-06-03") == []
    assert actions("actor=system&to=2026-06-05") == ["membership.x"]
    row = admin_api.get("/api/v1/audit/?action=tenant").json()["results"][0]
    assert row["actor"] == "admin@acme.example" and row["actor_role"] == "admin"
    assert row["target"] == {"type": "t", "id": "", "label": ""}
    bad = admin_api.get("/api/v1/audit/?from=soon&to=later").json()
    assert bad["errors"] == {
        "from": ["Use an ISO date (2026-12-04) or date-time."],
        "to": ["Use an ISO date (2026-12-04) or date-time."],
    }


@pytest.mark.django_db
def test_the_audit_page_filters_by_day_and_pages_by_fifty(tenant, log, admin):
    from django.test import Client

    client = Client()
    client.force_login(admin)
    page = client.get(
        "/t/acme/settings/audit/?date_from=2026-06-04&date_to=2026-06-04&actor=system"
    )
    assert page.status_code == 200
    assert [e.action for e in page.context["entries"]] == ["membership.x"]
    assert page.context["query"] == "date_from=2026-06-04&date_to=2026-06-04&actor=system"
    before = client.get("/t/acme/settings/audit/?date_to=2026-06-03")
    assert list(before.context["entries"]) == []
    with tenant_scope(tenant):
        AuditEntry.objects.bulk_create(
            AuditEntry(
                tenant=tenant, actor_label="s", actor_role="s", action="bulk.x", target_type="t"
            )
            for _ in range(60)
        )
    first = client.get("/t/acme/settings/audit/?action=bulk&page=1")
    assert len(first.context["entries"]) == 50 and first.context["query"] == "action=bulk"
    assert first.context["page"].number == 1 and first.context["page"].paginator.num_pages == 2
    assert first.context["form"].cleaned_data["action"] == "bulk"
    assert 'href="?action=bulk&amp;page=2"' in first.content.decode()
    assert len(client.get("/t/acme/settings/audit/?action=bulk&page=2").context["entries"]) == 10
    assert len(client.get("/t/acme/settings/audit/").context["entries"]) == 50
