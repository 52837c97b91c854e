"""Two workers sending the same notification at once, on real PostgreSQL: one e-mail."""

import pytest
from django.core import mail

from smarketing.notifications.models import Notification
from smarketing.notifications.tasks import notification_email_task
from smarketing.tenancy.roles import Role
from tests.leads.test_concurrency import run_at_once
from tests.notifications.factories import NotificationFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_racing_senders_send_one_email(tenant, member):
    rep = member(tenant, Role.SALES_REP)
    notes = [NotificationFactory(tenant=tenant, user=rep, email=True) for _ in range(5)]
    calls = [
        lambda n=note: notification_email_task(n.pk, tenant.pk) for note in notes for _ in range(4)
    ]
    results = run_at_once(calls)
    assert sum(results) == 5
    assert len(mail.outbox) == 5
    assert not Notification.all_tenants.filter(emailed_at__isnull=True).exists()
