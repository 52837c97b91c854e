"""E-mail notifications: HTML and text, sent exactly once, delayed (never lost) by outages."""

import smtplib
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from smarketing.events import publish
from smarketing.events.models import OutboxEvent
from smarketing.notifications.models import Notification
from smarketing.notifications.tasks import notification_email_sweep, notification_email_task
from smarketing.tenancy.roles import Role
from smarketing.tenancy.scope import tenant_scope
from tests.notifications.factories import NotificationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def rep(tenant, member):
    return member(tenant, Role.SALES_REP, email="rep@acme.example", first_name="Rita")


def assign(tenant, rep, lead_id=1):
    with tenant_scope(tenant):
        publish("lead.assigned", tenant=tenant.pk, data={
            "id": lead_id, "email": "giulia@rossi.example", "first_name": "Giulia",
            "last_name": "Rossi", "company": "Officine Rossi", "owner": {"id": rep.pk},
        })  # fmt: skip


def test_a_routed_lead_is_emailed_once_in_html_and_text(
    tenant, rep, relay, django_capture_on_commit_callbacks, settings
):
    settings.SITE_URL = "https://app.smarketing.example"
    assign(tenant, rep, lead_id=42)
    with django_capture_on_commit_callbacks(execute=True):
        relay()
    OutboxEvent.all_tenants.update(relayed_at=None)
    with django_capture_on_commit_callbacks(execute=True):
        relay()

    [message] = mail.outbox
    assert message.to == ["rep@acme.example"]
    assert message.subject == "[Acme] Lead routed to you: Giulia Rossi"
    assert "Hello Rita," in message.body
    assert "https://app.smarketing.example/t/acme/leads/42/" in message.body
    [(html, mimetype)] = message.alternatives
    assert mimetype == "text/html"
    assert 'href="https://app.smarketing.example/t/acme/leads/42/"' in html
    assert Notification.all_tenants.get().emailed_at is not None


def test_running_the_task_twice_sends_one_email(tenant, rep):
    note = NotificationFactory(tenant=tenant, user=rep, email=True)
    assert notification_email_task(note.pk, tenant.pk) is True
    assert notification_email_task(note.pk, tenant.pk) is False
    assert len(mail.outbox) == 1


def test_in_app_only_notifications_are_never_emailed(tenant, rep):
    note = NotificationFactory(tenant=tenant, user=rep, email=False)
    assert notification_email_task(note.pk, tenant.pk) is False
    assert notification_email_sweep(grace_seconds=0) == 0
    assert mail.outbox == []


def test_a_broker_outage_delays_emails_until_the_sweep(
    tenant, rep, relay, django_capture_on_commit_callbacks, monkeypatch
):
    # The broker is down: every kick is dropped (as `kick` does when publishing fails).
    monkeypatch.setattr("smarketing.queueing.kick", lambda task, *args: False)
    assign(tenant, rep)
    with django_capture_on_commit_callbacks(execute=True):
        relay()
    assert mail.outbox == []
    assert Notification.all_tenants.get().emailed_at is None

    assert notification_email_sweep(grace_seconds=0) == 1
    assert notification_email_sweep(grace_seconds=0) == 0
    assert len(mail.outbox) == 1


def test_a_failed_send_is_not_marked_and_is_sent_by_a_later_sweep(tenant, rep, monkeypatch):
    note = NotificationFactory(tenant=tenant, user=rep, email=True)

    def refuse(self, *args, **kwargs):
        raise smtplib.SMTPServerDisconnected("mail server away")

    with monkeypatch.context() as patch:
        patch.setattr("django.core.mail.EmailMultiAlternatives.send", refuse)
        assert notification_email_sweep(grace_seconds=0) == 0
    note.refresh_from_db()
    assert note.emailed_at is None
    assert notification_email_sweep(grace_seconds=0) == 1
    assert len(mail.outbox) == 1


def test_the_sweep_leaves_fresh_notifications_to_their_own_task(tenant, rep):
    NotificationFactory(tenant=tenant, user=rep, email=True)
    assert notification_email_sweep() == 0
    assert mail.outbox == []


def test_a_title_with_line_breaks_is_emailed_with_a_one_line_subject(tenant, rep, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    note = NotificationFactory(
        tenant=tenant, user=rep, email=True, title="Call Giulia\nBcc: victim@example.com\r\nnow"
    )
    assert notification_email_task(note.pk, tenant.pk) is True
    [message] = mail.outbox
    assert message.subject == "[Acme] Call Giulia Bcc: victim@example.com now"
    assert message.recipients() == ["rep@acme.example"]


def test_one_notification_that_cannot_be_sent_does_not_stop_the_others(
    tenant, rep, member, settings, caplog
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    broken = member(tenant, Role.SALES_REP, email="broken@acme.example")
    type(broken).objects.filter(pk=broken.pk).update(email="broken@acme.example\nBcc: x@y.z")
    first = NotificationFactory(tenant=tenant, user=broken, email=True)
    later = NotificationFactory(tenant=tenant, user=rep, email=True, title="Line\nbreak")
    Notification.all_tenants.filter(pk__in=[first.pk, later.pk]).update(
        created_at=timezone.now() - timedelta(minutes=5)
    )

    assert notification_email_sweep(grace_seconds=0) == 1
    [message] = mail.outbox
    assert message.to == ["rep@acme.example"]
    first.refresh_from_db()
    assert first.emailed_at is None and first.email_failed_at is not None
    assert first.email_error.startswith("BadHeaderError")
    assert "cannot be e-mailed" in caplog.text
    # Marked, not retried on every sweep, and not counted as sent.
    assert notification_email_sweep(grace_seconds=0) == 0
    assert len(mail.outbox) == 1
