"""Notification e-mail through a real SMTP server on loopback: what reaches the wire."""

import email
import email.policy
import socket

import pytest
from aiosmtpd.controller import Controller

from smarketing.notifications.models import Notification
from smarketing.notifications.tasks import notification_email_sweep
from smarketing.tenancy.roles import Role
from tests.notifications.factories import NotificationFactory

pytestmark = pytest.mark.django_db


class Mailbox:
    """An aiosmtpd handler that keeps every message it is handed."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], email.message.EmailMessage]] = []

    async def handle_DATA(self, server, session, envelope):
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append((list(envelope.rcpt_tos), parsed))
        return "250 OK"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp(settings):
    mailbox = Mailbox()
    port = free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()  # returns once the server answers
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_USE_TLS = "127.0.0.1", port, False
    yield mailbox
    controller.stop()


def test_a_title_with_an_injected_header_reaches_smtp_as_one_subject_line(tenant, member, smtp):
    rep = member(tenant, Role.SALES_REP, email="rep@acme.example")
    broken = member(tenant, Role.SALES_REP, email="broken@acme.example")
    type(broken).objects.filter(pk=broken.pk).update(email="broken@acme.example\nBcc: x@y.z")
    NotificationFactory(tenant=tenant, user=broken, email=True)
    NotificationFactory(
        tenant=tenant, user=rep, email=True, title="Call Giulia\r\nBcc: victim@example.com"
    )
    Notification.all_tenants.update(created_at="2000-01-01T00:00:00Z")

    assert notification_email_sweep(grace_seconds=0) == 1

    [(recipients, message)] = smtp.messages
    assert recipients == ["rep@acme.example"]
    assert message["Subject"] == "[Acme] Call Giulia Bcc: victim@example.com"
    assert message["Bcc"] is None
