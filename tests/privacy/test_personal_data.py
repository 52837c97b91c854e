"""GET /api/v1/leads/{id}/personal-data/: the subject access export, for admins."""

import pytest
import yaml
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from smarketing.events.relay import outbox_relay
from smarketing.tenancy.roles import Role
from smarketing.tenancy.scope import cross_tenant_scope
from tests.webhooks.factories import WebhookEndpointFactory

pytestmark = pytest.mark.django_db

EMAIL = "ada@prospect.example"


@pytest.fixture
def person(tenant, api_client_for, member, settings, tmp_path, django_capture_on_commit_callbacks):
    """A lead with a bit of everything; returns its id."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    WebhookEndpointFactory(tenant=tenant, events=["lead.created", "lead.stage_changed"])
    marketer = api_client_for(tenant, Role.MARKETER)
    admin = api_client_for(tenant, Role.ADMIN)
    lead_id = marketer.post("/api/v1/leads/", {
        "email": EMAIL, "first_name": "Ada", "custom_fields": {"linkedin": "ada-l"},
    }).json()["id"]  # fmt: skip
    event = {"email": EMAIL, "type": "download", "occurred_at": "2026-12-01T10:00:00Z",
             "properties": {"asset": "guide"}}  # fmt: skip
    marketer.post("/api/v1/events/", [event])
    marketer.post(f"/api/v1/leads/{lead_id}/transition/", {"to": "mql", "note": "Asked for a demo"})
    marketer.post(f"/api/v1/leads/{lead_id}/transition/", {"to": "sql"})
    rep = member(tenant, Role.SALES_REP)
    admin.post(f"/api/v1/leads/{lead_id}/assign/", {"owner": rep.email})
    api_client_for(tenant, Role.SALES_REP)  # someone else, to be sure only the lead is exported
    with django_capture_on_commit_callbacks(execute=True):
        marketer.post(
            "/api/v1/imports/",
            {"file": SimpleUploadedFile(
                "leads.csv", f"Email,Company Size\n{EMAIL},lots\nother@example.com,5\n".encode(),
                content_type="text/csv")},
            format="multipart",
        )  # fmt: skip
    with cross_tenant_scope():
        outbox_relay()
    return lead_id


def test_an_admin_gets_everything_held_about_the_person(tenant, api_client_for, person):
    response = api_client_for(tenant, Role.ADMIN).get(f"/api/v1/leads/{person}/personal-data/")
    assert response.status_code == 200
    body = response.json()
    assert body["lead"]["email"] == EMAIL and body["lead"]["first_name"] == "Ada"
    assert body["custom_fields"] == {"linkedin": "ada-l"}
    assert [(e["type"], e["properties"]) for e in body["events"]] == [
        ("download", {"asset": "guide"})
    ]
    assert [t["to_stage"] for t in body["transitions"] if t["action"] == "move"] == ["mql", "sql"]
    notes = [n["note"] for n in body["notes"]]
    assert len(notes) == 2 and notes[0] == "Asked for a demo"
    assert notes[1].startswith("Assigned to ")  # the assignment's own note
    assert {e["type"] for e in body["webhook_events"]} >= {
        "lead.created", "lead.stage_changed", "lead.assigned",
    }  # fmt: skip
    assert all(e["data"]["id"] == person for e in body["webhook_events"])
    assert [n["kind"] for n in body["notifications"]] == ["lead_assigned"]
    (imported,) = body["import_rows"]
    assert imported["rows"] == [{"line": 2, "cells": {"Email": EMAIL, "Company Size": "lots"}}]
    assert [f["email"] for f in imported["failures"]] == [EMAIL]
    assert body["consent"] is None


@pytest.mark.parametrize("role", [Role.MANAGER, Role.MARKETER, Role.SALES_REP, None])
def test_only_admins_export_personal_data(tenant, api_client_for, person, role):
    response = api_client_for(tenant, role).get(f"/api/v1/leads/{person}/personal-data/")
    assert response.status_code == 403


def test_another_tenants_lead_is_not_found(other_tenant, api_client_for, person):
    response = api_client_for(other_tenant, Role.ADMIN).get(
        f"/api/v1/leads/{person}/personal-data/"
    )
    assert response.status_code == 404


def test_after_erasure_the_export_holds_nothing_of_the_person(tenant, api_client_for, person):
    admin = api_client_for(tenant, Role.ADMIN)
    admin.post(f"/api/v1/leads/{person}/erase/")
    text = admin.get(f"/api/v1/leads/{person}/personal-data/").content.decode()
    assert EMAIL not in text and "Ada" not in text


def test_the_export_is_in_the_openapi_schema(tmp_path):
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "s.yaml"))
    schema = yaml.safe_load((tmp_path / "s.yaml").read_text())
    operation = schema["paths"]["/api/v1/leads/{id}/personal-data/"]["get"]
    body = operation["responses"]["200"]["content"]["application/json"]["schema"]
    assert body == {"$ref": "#/components/schemas/PersonalData"}
    assert {"lead", "events", "notifications", "webhook_events", "import_rows", "consent"} <= set(
        schema["components"]["schemas"]["PersonalData"]["properties"]
    )
