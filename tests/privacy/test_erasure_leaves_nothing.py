"""After erasure the person is nowhere: no text or JSON column of any table, no media file.

The lead goes through what leaves copies of a person behind: an upsert with an
Idempotency-Key, engagement events, a CSV import with a failing row, moves with notes, a
rejection whose note an alignment meeting's agenda quotes, an assignment that notifies a rep,
relayed webhooks (one receiver echoed the body), the Django admin's log. Before the erasure
the search must find the person in each of those places (the search works, and the setup
really wrote them); after it, nowhere.
"""

from datetime import timedelta

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.utils import timezone

from leads.models import Lead, StageTransition
from meetings.services import meeting_agenda_generate
from smarketing.events.relay import outbox_relay
from smarketing.notifications.models import Notification
from smarketing.tenancy.roles import Role
from smarketing.tenancy.scope import cross_tenant_scope, tenant_scope
from smarketing.webhooks.models import WebhookDelivery
from tests.meetings.factories import MeetingFactory
from tests.privacy.search import media_hits, model_hits, table_hits
from tests.webhooks.factories import WebhookEndpointFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media_root")]

EMAIL = "zyxwaldo.quibbleton@prospect.example"
FIRST, LAST = "Zyxwaldo", "Quibbleton"
NEEDLES = [EMAIL, FIRST, LAST]


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


def relay():
    with cross_tenant_scope():
        outbox_relay()


def _leave_traces(tenant, api_client_for, member, capture):
    """Everything a lead's life writes about the person; returns (lead id, admin client)."""
    WebhookEndpointFactory(
        tenant=tenant, events=["lead.created", "lead.stage_changed", "lead.accepted"]
    )
    integration = api_client_for(tenant)
    marketer = api_client_for(tenant, Role.MARKETER)
    rep = api_client_for(tenant, Role.SALES_REP)
    admin = api_client_for(tenant, Role.ADMIN)
    other_rep = member(tenant, Role.SALES_REP)
    created = integration.post(
        "/api/v1/leads/",
        {"email": EMAIL, "first_name": FIRST, "last_name": LAST, "company": "Quibbleworks",
         "phone": "+39 055 998877", "custom_fields": {"linkedin": "zyxwaldo-q"}},
        HTTP_IDEMPOTENCY_KEY="create-1",
    )  # fmt: skip
    assert created.status_code == 201
    lead_id = created.json()["id"]
    events = integration.post("/api/v1/events/", [
        {"email": EMAIL, "type": "form_submit", "occurred_at": "2026-12-01T10:00:00Z",
         "properties": {"form": "demo", "name": f"{FIRST} {LAST}"}},
    ])  # fmt: skip
    assert events.json()["recorded"] == 1
    csv = (
        "Email,First Name,Last Name,Company Size\n"
        f"{EMAIL},{FIRST},{LAST},50\n"
        f"{EMAIL.upper()},{FIRST},{LAST},lots\n"
        "someone.else@example.com,Some,One,10\n"
    ).encode()
    with capture(execute=True):
        imported = marketer.post(
            "/api/v1/imports/",
            {"file": SimpleUploadedFile("leads.csv", csv, content_type="text/csv")},
            format="multipart",
        )
    assert imported.status_code == 202

    def move(to, note=""):
        moved = marketer.post(f"/api/v1/leads/{lead_id}/transition/", {"to": to, "note": note})
        assert moved.status_code == 200, moved.json()

    move("mql", f"{FIRST} asked for a demo")
    move("sql", f"Call {LAST} on Monday")
    rejection = {"reason_code": "no_budget", "note": f"{FIRST} {LAST} has no budget"}
    rejected = rep.post(f"/api/v1/leads/{lead_id}/reject/", rejection)
    assert rejected.status_code == 200, rejected.json()
    move("mql")
    move("sql")
    assert rep.post(f"/api/v1/leads/{lead_id}/accept/").status_code == 200
    assigned = admin.post(f"/api/v1/leads/{lead_id}/assign/", {"owner": other_rep.email})
    assert assigned.status_code == 200, assigned.json()
    with capture(execute=False):
        relay()
    # A receiver that echoes what it got: its answer is kept in the delivery log.
    WebhookDelivery.all_tenants.filter(event__data__id=lead_id).update(
        response_excerpt=f'{{"received": "{EMAIL}"}}'
    )
    # A notification e-mail that failed: the error quotes the subject.
    Notification.all_tenants.filter(url__endswith=f"/leads/{lead_id}/").update(
        email_error=f"SMTPDataError: [Acme] Lead routed to you: {FIRST} {LAST}"
    )
    lead = Lead.all_tenants.get(pk=lead_id)
    LogEntry.objects.create(
        user=admin.user, content_type=ContentType.objects.get_for_model(Lead),
        object_id=str(lead.pk), object_repr=str(lead), action_flag=CHANGE, change_message="[]",
    )  # fmt: skip
    # An alignment meeting whose generated agenda quotes the rejection note.
    # The period spans a day either side of today, whatever the tenant's timezone.
    today = timezone.now().date()
    meeting = MeetingFactory(
        tenant=tenant, scheduled_at=timezone.now() + timedelta(days=2),
        period_start=today - timedelta(days=5), period_end=today + timedelta(days=1),
    )  # fmt: skip
    with tenant_scope(tenant):
        meeting_agenda_generate(meeting=meeting)
    return lead_id, admin


def test_erasure_leaves_the_person_in_no_column_of_any_table_and_no_file(
    tenant, api_client_for, member, django_capture_on_commit_callbacks
):
    lead_id, admin = _leave_traces(
        tenant, api_client_for, member, django_capture_on_commit_callbacks
    )
    before = model_hits(NEEDLES)
    for where in (
        "leads.Lead.email", "leads.LeadEvent.properties", "leads.StageTransition.note",
        "leads.LeadImport.failure_sample", "events.OutboxEvent.data",
        "api.IdempotencyRecord.response_body", "notifications.Notification.title",
        "notifications.Notification.email_error",
        "webhooks.WebhookDelivery.response_excerpt", "admin.LogEntry.object_repr",
        "meetings.AgendaItem.body", "meetings.AgendaItem.figures",
    ):  # fmt: skip
        assert where in before, f"the setup wrote nothing to {where}: {sorted(before)}"
    assert len(media_hits(NEEDLES)) == 2  # the upload and the error report
    if connection.vendor == "postgresql":
        assert {"events_outboxevent.data", "api_idempotencyrecord.response_body"} <= set(
            table_hits(NEEDLES)
        )
    transitions_before = StageTransition.all_tenants.filter(lead_id=lead_id).count()

    with django_capture_on_commit_callbacks(execute=True):
        erased = admin.post(f"/api/v1/leads/{lead_id}/erase/")
    assert erased.status_code == 200

    assert model_hits(NEEDLES) == {}
    assert table_hits(NEEDLES) == {}
    assert media_hits(NEEDLES) == {}
    # History and counts stay: the stage, every transition, plus the erasure's own record.
    lead = Lead.all_tenants.get(pk=lead_id)
    assert lead.stage == "sql"
    assert StageTransition.all_tenants.filter(lead_id=lead_id).count() == transitions_before + 1
