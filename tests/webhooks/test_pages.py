"""The webhook settings pages for admins."""

import pytest
from django.test import Client

from smarketing.tenancy.roles import Role
from smarketing.webhooks.models import WebhookEndpoint
from tests.webhooks.factories import WebhookDeliveryFactory, WebhookEndpointFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_page(tenant, member):
    client = Client()
    client.force_login(member(tenant, Role.ADMIN))
    return client


def test_an_admin_adds_an_endpoint_and_sees_the_secret_once(tenant, admin_page):
    response = admin_page.post(
        "/t/acme/settings/webhooks/",
        {"url": "https://hooks.example.com/x", "events": ["lead.created"], "enabled": "on"},
    )
    assert response.status_code == 200
    endpoint = WebhookEndpoint.all_tenants.get(tenant=tenant)
    assert endpoint.secret in response.content.decode()
    again = admin_page.get("/t/acme/settings/webhooks/").content.decode()
    assert "https://hooks.example.com/x" in again and endpoint.secret not in again


def test_an_invalid_endpoint_shows_the_reason(admin_page, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE = False
    response = admin_page.post(
        "/t/acme/settings/webhooks/", {"url": "https://127.0.0.1/x", "events": ["lead.created"]}
    )
    assert response.status_code == 200
    assert "private or reserved" in response.content.decode()
    assert not WebhookEndpoint.all_tenants.exists()


def test_the_detail_page_shows_the_delivery_log_and_rotates(tenant, admin_page):
    endpoint = WebhookEndpointFactory(tenant=tenant)
    WebhookDeliveryFactory(
        tenant=tenant,
        endpoint=endpoint,
        response_status=500,
        response_excerpt="receiver exploded",
        attempts=3,
    )
    page = admin_page.get(f"/t/acme/settings/webhooks/{endpoint.pk}/").content.decode()
    assert "receiver exploded" in page and "Redeliver" in page
    old = endpoint.secret
    rotated = admin_page.post(f"/t/acme/settings/webhooks/{endpoint.pk}/", {"action": "rotate"})
    endpoint.refresh_from_db()
    assert endpoint.secret != old and endpoint.previous_secret == old
    assert endpoint.secret in rotated.content.decode()


def test_an_admin_redelivers_from_the_log(tenant, admin_page, monkeypatch):
    monkeypatch.setattr("smarketing.webhooks.services.deliveries.send_batch", lambda ids: {})
    endpoint = WebhookEndpointFactory(tenant=tenant)
    delivery = WebhookDeliveryFactory(tenant=tenant, endpoint=endpoint, status="failed")
    url = f"/t/acme/settings/webhooks/{endpoint.pk}/deliveries/{delivery.pk}/redeliver/"
    response = admin_page.post(url, follow=True)
    assert "will be sent again" in response.content.decode()
    delivery.refresh_from_db()
    assert delivery.status == "pending"


def test_an_admin_disables_and_deletes_an_endpoint(tenant, admin_page):
    endpoint = WebhookEndpointFactory(tenant=tenant, events=["lead.created"])
    url = f"/t/acme/settings/webhooks/{endpoint.pk}/"
    admin_page.post(url, {"url": endpoint.url, "events": ["lead.created"]})  # enabled unticked
    endpoint.refresh_from_db()
    assert endpoint.enabled is False
    admin_page.post(url, {"action": "delete"})
    assert not WebhookEndpoint.all_tenants.filter(pk=endpoint.pk).exists()


def test_only_admins_see_the_nav_link_and_open_the_pages(tenant, member, admin_page):
    assert 'href="/t/acme/settings/webhooks/"' in admin_page.get("/t/acme/").content.decode()
    manager = Client()
    manager.force_login(member(tenant, Role.MANAGER))
    assert "settings/webhooks" not in manager.get("/t/acme/").content.decode()
    assert manager.get("/t/acme/settings/webhooks/").status_code == 403
