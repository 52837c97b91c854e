"""What webhooks' events tell people (registered in `WebhooksConfig.ready`)."""

from __future__ import annotations

from smarketing.notifications.builders import Batch, Draft, register_builder
from smarketing.notifications.kinds import Channel, register_kind

WEBHOOK_DISABLED = register_kind(
    "webhook_disabled", "A webhook endpoint was disabled", default_channel=Channel.BOTH
)


def webhook_disabled(tenant_id: int, data: dict, batch: Batch) -> list[Draft]:
    url = data.get("url") or "an endpoint"
    endpoint = data.get("id")
    link = batch.page(tenant_id, f"settings/webhooks/{endpoint}/" if endpoint else "settings/")
    reason = data.get("reason")
    why = f"disabled: {reason}." if reason else "disabled."
    return [
        Draft(uid, WEBHOOK_DISABLED, f"Webhook endpoint disabled: {url}"[:200],
              f"Deliveries to {url} kept failing, so it was {why} "
              "Fix the receiver, then enable it again.", link)
        for uid in batch.admins.get(tenant_id, [])
    ]  # fmt: skip


def register() -> None:
    register_builder("webhook.endpoint_disabled", webhook_disabled, needs_admins=True)
