"""The delivery log in a real browser, with a delivery whose payload was erased."""

import pytest
from playwright.sync_api import expect

from leads.services import lead_erase
from smarketing.tenancy.actors import Actor
from smarketing.tenancy.roles import Role
from smarketing.tenancy.scope import tenant_scope
from tests.leads.factories import LeadFactory
from tests.webhooks.factories import WebhookDeliveryFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("width", [1366, 390])
def test_an_erased_delivery_shows_why_it_cannot_be_redelivered_and_the_page_fits(
    tenant, member, page, log_in, width
):
    lead = LeadFactory(tenant=tenant, email="ada@prospect.example")
    erased = WebhookDeliveryFactory(
        tenant=tenant, status="succeeded", event__data={"id": lead.pk, "email": lead.email}
    )
    WebhookDeliveryFactory(
        tenant=tenant, endpoint=erased.endpoint, status="failed",
        event__data={"id": lead.pk + 1, "email": "grace@prospect.example"},
    )  # fmt: skip
    with tenant_scope(tenant):
        lead_erase(lead=lead, actor=Actor.system())
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.set_viewport_size({"width": width, "height": 900})
    log_in(member(tenant, Role.ADMIN))
    page.goto(f"/t/acme/settings/webhooks/{erased.endpoint_id}/")
    rows = page.locator("table.delivery-log tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.filter(has_text="Personal data erased")).to_have_count(1)
    expect(page.get_by_role("button", name="Redeliver")).to_have_count(1)
    # The log scrolls inside its own box: it never widens the page.
    box = page.locator("div.overflow-auto:has(table.delivery-log)").bounding_box()
    assert box["x"] + box["width"] <= width
    assert errors == []
