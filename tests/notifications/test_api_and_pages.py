"""The caller's notifications through the API and the pages: unread first, mark read, the
bell and the preferences form."""

import pytest
from django.test import Client
from django.utils import timezone

from smarketing.accounts.models import User
from smarketing.notifications.models import Notification
from smarketing.tenancy.roles import Role
from tests.notifications.factories import NotificationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def rep(tenant, member):
    return member(tenant, Role.SALES_REP, email="rep@acme.example")


@pytest.fixture
def page(rep):
    client = Client()
    client.force_login(rep)
    return client


def test_the_list_puts_unread_first_then_newest(tenant, rep, api_client_for):
    old_unread = NotificationFactory(tenant=tenant, user=rep, title="old unread")
    read = NotificationFactory(tenant=tenant, user=rep, title="read", read_at=timezone.now())
    new_unread = NotificationFactory(tenant=tenant, user=rep, title="new unread")
    NotificationFactory(tenant=tenant, title="someone else's")
    NotificationFactory(tenant=tenant, user=rep, title="e-mail only", in_app=False)

    response = api_client_for(tenant, user=rep).get("/api/v1/notifications/?page_size=2")

    body = response.json()
    assert [n["title"] for n in body["results"]] == ["new unread", "old unread"]
    following = api_client_for(tenant, user=rep).get(body["next"]).json()
    assert [n["title"] for n in following["results"]] == ["read"]
    assert following["next"] is None
    assert old_unread.pk and read.pk and new_unread.pk


def test_marking_one_read_and_all_read(tenant, rep, api_client_for):
    first, second = NotificationFactory.create_batch(2, tenant=tenant, user=rep)
    client = api_client_for(tenant, user=rep)
    response = client.post(f"/api/v1/notifications/{first.pk}/read/")
    assert response.status_code == 200 and response.json()["read_at"] is not None
    assert client.post("/api/v1/notifications/read-all/").json() == {"marked": 1}
    assert not Notification.all_tenants.filter(read_at__isnull=True).exists()
    assert second.pk


def test_someone_elses_notification_is_404(tenant, rep, api_client_for):
    theirs = NotificationFactory(tenant=tenant)
    response = api_client_for(tenant, user=rep).post(f"/api/v1/notifications/{theirs.pk}/read/")
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_an_integration_key_has_no_notifications(tenant, api_client_for):
    NotificationFactory(tenant=tenant)
    assert api_client_for(tenant).get("/api/v1/notifications/").json()["results"] == []


def test_the_bell_in_the_top_bar_counts_unread_in_app_notifications(tenant, rep, page):
    NotificationFactory.create_batch(2, tenant=tenant, user=rep)
    NotificationFactory(tenant=tenant, user=rep, read_at=timezone.now())
    NotificationFactory(tenant=tenant, user=rep, in_app=False)
    html = page.get(f"/t/{tenant.slug}/").content.decode()
    assert 'id="notification-bell"' in html
    assert 'data-refresh-url="/t/acme/notifications/bell/"' in html
    assert 'data-testid="bell-count">2</span>' in html
    bell = page.get(f"/t/{tenant.slug}/notifications/bell/").content.decode()
    assert bell.count("<li") == 1 and 'data-testid="bell-count">2</span>' in bell


def test_the_notifications_page_lists_and_marks_read(tenant, rep, page):
    note = NotificationFactory(tenant=tenant, user=rep, title="Lead routed to you: Ada")
    html = page.get(f"/t/{tenant.slug}/notifications/").content.decode()
    assert "<h1>Notifications</h1>" in html and "Lead routed to you: Ada" in html
    assert "1 unread" in html
    page.post(f"/t/{tenant.slug}/notifications/{note.pk}/read/")
    note.refresh_from_db()
    assert note.read_at is not None
    assert (
        'data-testid="bell-count" hidden>0</span>'
        in page.get(f"/t/{tenant.slug}/").content.decode()
    )


def test_marking_all_read_from_the_page(tenant, rep, page):
    NotificationFactory.create_batch(3, tenant=tenant, user=rep)
    page.post(f"/t/{tenant.slug}/notifications/read-all/")
    assert not Notification.all_tenants.filter(read_at__isnull=True).exists()


def test_preferences_are_saved_per_kind(tenant, rep, page):
    html = page.get(f"/t/{tenant.slug}/notifications/").content.decode()
    assert 'name="sla_breached"' in html and "In the app and by e-mail" in html
    page.post(f"/t/{tenant.slug}/notifications/preferences/",
              {"sla_breached": "none", "lead_cold": "email"})  # fmt: skip
    prefs = User.objects.get(pk=rep.pk).notification_preferences
    assert prefs == {"sla_breached": "none", "lead_cold": "email"}
    response = page.post(f"/t/{tenant.slug}/notifications/preferences/", {"lead_cold": "pigeon"},
                         follow=True)  # fmt: skip
    assert "Invalid" in [str(m) for m in response.context["messages"]][-1]
    assert User.objects.get(pk=rep.pk).notification_preferences["lead_cold"] == "email"
