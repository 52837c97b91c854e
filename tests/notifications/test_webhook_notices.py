"""What admins read when an endpoint that kept failing is disabled."""

from smarketing.notifications.builders import Batch, Draft, builder_for, needs_admins
from smarketing.webhooks import notifications
from smarketing.webhooks.notifications import WEBHOOK_DISABLED, webhook_disabled

TENANT = 7
BATCH = Batch(slugs={TENANT: "acme"}, admins={TENANT: [11, 12]})


def test_each_admin_reads_which_endpoint_was_disabled_why_and_what_to_do():
    data = {"id": 3, "url": "https://hooks.example/in", "reason": "HTTP 500 for 24 hours"}
    body = (
        "Deliveries to https://hooks.example/in kept failing, so it was disabled: "
        "HTTP 500 for 24 hours. Fix the receiver, then enable it again."
    )
    assert webhook_disabled(TENANT, data, BATCH) == [
        Draft(uid, WEBHOOK_DISABLED, "Webhook endpoint disabled: https://hooks.example/in", body,
              "/t/acme/settings/webhooks/3/")
        for uid in (11, 12)
    ]  # fmt: skip


def test_a_notice_without_details_still_reads_and_links_to_the_settings():
    [draft] = webhook_disabled(TENANT, {}, Batch(slugs={TENANT: "acme"}, admins={TENANT: [11]}))
    assert draft.title == "Webhook endpoint disabled: an endpoint"
    assert draft.body == (
        "Deliveries to an endpoint kept failing, so it was disabled. "
        "Fix the receiver, then enable it again."
    )
    assert draft.url == "/t/acme/settings/"


def test_the_title_of_a_long_url_is_cut_to_what_a_notification_holds():
    url = "https://hooks.example/" + "x" * 300
    [draft] = webhook_disabled(TENANT, {"id": 3, "url": url, "reason": "HTTP 500"}, BATCH)[:1]
    assert draft.title == f"Webhook endpoint disabled: {url}"[:200]
    assert url in draft.body


def test_a_tenant_without_admins_gets_no_notice():
    assert webhook_disabled(8, {"id": 3, "url": "https://hooks.example/in"}, BATCH) == []


def test_disabled_endpoints_notify_the_admins_of_their_tenant():
    notifications.register()  # as the app does at start-up; registering again replaces it
    assert builder_for("webhook.endpoint_disabled") is webhook_disabled
    assert needs_admins("webhook.endpoint_disabled") is True
