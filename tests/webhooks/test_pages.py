"""The webhook settings pages for admins."""

import re

import pytest
from django.test import Client

from smarketing.tenancy.roles import Role
from smarketing.webhooks.errors import InvalidWebhook
from smarketing.webhooks.models import WebhookDelivery, WebhookEndpoint
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
    assert (endpoint.events, endpoint.enabled) == (["lead.created"], True)
    page = response.content.decode()
    assert "Endpoint https://hooks.example.com/x created." in page
    assert endpoint.secret in page
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


def ticked(page: str, event_type: str) -> bool:
    return re.search(rf'value="{re.escape(event_type)}" id="[^"]+" checked', page) is not None


def field_error(message: str) -> str:
    """How a message beside a field reads in the page (webhooks/_endpoint_form.html)."""
    return f'<small class="field-error">{message}</small>'


def test_the_new_endpoint_form_starts_enabled(admin_page):
    page = admin_page.get("/t/acme/settings/webhooks/").content.decode()
    assert '<input type="checkbox" name="enabled" id="id_enabled" checked>' in page
    assert "No endpoints yet. Add the first one below." in page


def test_an_address_refused_by_the_rules_reads_beside_the_url_and_keeps_the_input(
    admin_page, settings
):
    settings.WEBHOOKS_ALLOW_PRIVATE = False
    url = "https://127.0.0.1/x"
    response = admin_page.post(
        "/t/acme/settings/webhooks/", {"url": url, "events": ["sla.breached"]}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert (
        field_error("The host 127.0.0.1 resolves to 127.0.0.1, a private or reserved address.")
        in page
    )
    assert f'name="url" value="{url}"' in page and ticked(page, "sla.breached")
    assert 'class="message error"' not in page  # nothing above the form


def test_a_missing_choice_reads_beside_its_field(admin_page):
    response = admin_page.post("/t/acme/settings/webhooks/", {"url": "https://hooks.example.com/x"})
    page = response.content.decode()
    assert field_error("This field is required.") in page
    assert 'name="url" value="https://hooks.example.com/x"' in page
    assert not WebhookEndpoint.all_tenants.exists()


def test_a_refusal_about_no_field_of_the_form_reads_above_it(admin_page, monkeypatch):
    def refuse(**kwargs):
        raise InvalidWebhook({"tenant": ["This workspace may not add endpoints now."]})

    monkeypatch.setattr("smarketing.webhooks.services.endpoint_create", refuse)
    response = admin_page.post(
        "/t/acme/settings/webhooks/",
        {"url": "https://hooks.example.com/x", "events": ["lead.created"]},
    )
    assert response.status_code == 200
    assert (
        '<p class="message error" role="alert">This workspace may not add endpoints now.</p>'
        in response.content.decode()
    )


def test_the_failing_filter_says_what_the_list_shows(tenant, admin_page):
    WebhookEndpointFactory(tenant=tenant)
    note = "Only the endpoints whose deliveries failed in the last 24 hours."
    filtered = admin_page.get("/t/acme/settings/webhooks/?failing=1").content.decode()
    assert note in filtered and "No endpoint failed in the last 24 hours." in filtered
    assert note not in admin_page.get("/t/acme/settings/webhooks/").content.decode()


def test_the_detail_page_fills_the_form_with_the_stored_settings(tenant, admin_page):
    endpoint = WebhookEndpointFactory(tenant=tenant, events=["sla.breached"], enabled=False)
    page = admin_page.get(f"/t/acme/settings/webhooks/{endpoint.pk}/").content.decode()
    assert f'name="url" value="{endpoint.url}"' in page
    assert ticked(page, "sla.breached") and not ticked(page, "lead.created")
    assert '<input type="checkbox" name="enabled" id="id_enabled">' in page


def test_the_delivery_log_shows_fifty_a_page_newest_first(tenant, admin_page):
    endpoint = WebhookEndpointFactory(tenant=tenant)
    deliveries = WebhookDeliveryFactory.create_batch(51, tenant=tenant, endpoint=endpoint)
    url = f"/t/acme/settings/webhooks/{endpoint.pk}/"
    first = admin_page.get(url).content.decode()
    assert first.count("<tr>") - 1 == 50  # and the header row
    assert str(deliveries[-1].event_id) in first and str(deliveries[0].event_id) not in first
    second = admin_page.get(url, {"page": "2"}).content.decode()
    assert second.count("<tr>") - 1 == 1 and str(deliveries[0].event_id) in second


def test_rotating_shows_the_new_secret_and_until_when_the_old_one_signs(tenant, admin_page):
    endpoint = WebhookEndpointFactory(tenant=tenant)
    page = admin_page.post(f"/t/acme/settings/webhooks/{endpoint.pk}/", {"action": "rotate"})
    html = page.content.decode()
    endpoint.refresh_from_db()
    assert "Secret rotated." in html and endpoint.secret in html
    # The page shows the endpoint as rotated, not as it was before.
    assert "The previous secret keeps signing too until" in html
    assert "A rotation overlaps until" in html


def test_saving_the_settings_goes_back_to_the_endpoint_with_a_message(tenant, admin_page):
    endpoint = WebhookEndpointFactory(tenant=tenant, events=["lead.created"])
    url = f"/t/acme/settings/webhooks/{endpoint.pk}/"
    form = {"url": "https://hooks.example.com/new", "events": ["sla.breached"], "enabled": "on"}
    response = admin_page.post(url, form)
    assert (response.status_code, response["Location"]) == (302, url)
    assert "Endpoint saved." in admin_page.get(url).content.decode()
    endpoint.refresh_from_db()
    assert (endpoint.url, endpoint.events, endpoint.enabled) == (
        "https://hooks.example.com/new",
        ["sla.breached"],
        True,
    )


def test_a_refused_change_reads_beside_the_url_and_changes_nothing(tenant, admin_page, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE = False
    endpoint = WebhookEndpointFactory(tenant=tenant, url="https://hooks.example.com/in")
    url = f"/t/acme/settings/webhooks/{endpoint.pk}/"
    response = admin_page.post(url, {"url": "https://10.0.0.1/in", "events": ["lead.created"]})
    page = response.content.decode()
    assert response.status_code == 200
    assert (
        field_error("The host 10.0.0.1 resolves to 10.0.0.1, a private or reserved address.")
        in page
    )
    assert "<h1>https://hooks.example.com/in</h1>" in page  # what is stored
    assert 'name="url" value="https://10.0.0.1/in"' in page  # what was typed, to correct
    endpoint.refresh_from_db()
    assert (endpoint.url, endpoint.enabled) == ("https://hooks.example.com/in", True)


def test_deleting_goes_back_to_the_list_with_a_message(tenant, admin_page):
    endpoint = WebhookEndpointFactory(tenant=tenant, url="https://hooks.example.com/old")
    response = admin_page.post(f"/t/acme/settings/webhooks/{endpoint.pk}/", {"action": "delete"})
    assert (response.status_code, response["Location"]) == (302, "/t/acme/settings/webhooks/")
    page = admin_page.get("/t/acme/settings/webhooks/").content.decode()
    assert "Endpoint https://hooks.example.com/old deleted." in page


def test_redelivering_to_a_disabled_endpoint_says_to_enable_it(tenant, admin_page):
    endpoint = WebhookEndpointFactory(tenant=tenant, enabled=False)
    delivery = WebhookDeliveryFactory(tenant=tenant, endpoint=endpoint, status="failed")
    url = f"/t/acme/settings/webhooks/{endpoint.pk}/deliveries/{delivery.pk}/redeliver/"
    response = admin_page.post(url)
    assert (response.status_code, response["Location"]) == (
        302,
        f"/t/acme/settings/webhooks/{endpoint.pk}/",
    )
    page = admin_page.get(response["Location"]).content.decode()
    assert "Enable the endpoint first: a disabled endpoint receives nothing." in page
    assert WebhookDelivery.all_tenants.get(pk=delivery.pk).status == "failed"


def test_redelivering_a_delivery_of_another_endpoint_is_not_found(tenant, admin_page):
    endpoint = WebhookEndpointFactory(tenant=tenant)
    elsewhere = WebhookDeliveryFactory(tenant=tenant, status="failed")
    url = f"/t/acme/settings/webhooks/{endpoint.pk}/deliveries/{elsewhere.pk}/redeliver/"
    assert admin_page.post(url).status_code == 404
    assert WebhookDelivery.all_tenants.get(pk=elsewhere.pk).status == "failed"
