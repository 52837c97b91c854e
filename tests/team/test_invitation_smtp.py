"""The invitation e-mail through a real SMTP server on loopback, as in a deployment."""

import re
import socket
from email import message_from_bytes
from urllib.parse import urlparse

import pytest
from aiosmtpd.controller import Controller
from django.test import Client

from smarketing.tenancy.models import Membership
from smarketing.tenancy.scope import tenant_scope

pytestmark = pytest.mark.django_db


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((envelope.rcpt_tos, message_from_bytes(envelope.content)))
        return "250 Message accepted"


@pytest.fixture
def smtp_server(settings):
    with socket.socket() as probe:  # a free port on loopback
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = False
    settings.SITE_URL = "https://app.smarketing.example"
    yield inbox
    controller.stop()


def test_the_invitation_travels_by_smtp_and_its_link_joins(
    tenant, admin_api, smtp_server, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_api.post(
            "/api/v1/invites/",
            {"email": "smtp.rep@example.com", "role": "sales_rep"},
            format="json",
        )
    assert response.status_code == 201
    [(recipients, message)] = smtp_server.messages
    assert recipients == ["smtp.rep@example.com"]
    assert message["Subject"] == "You are invited to Acme on Smarketing"
    link = re.search(r"https://app\.smarketing\.example/invite/\S+/", message.get_payload()).group(
        0
    )
    joined = Client().post(
        urlparse(link).path, {"first_name": "Sam", "password": "a-long-enough-passphrase"}
    )
    assert joined.status_code == 302
    with tenant_scope(tenant):
        assert Membership.objects.get(user__email="smtp.rep@example.com").role == "sales_rep"
