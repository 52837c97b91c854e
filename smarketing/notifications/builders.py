"""What each event tells whom: recipients, title, body and link, from the event's payload.

Builders read the payload the outbox stored (never live domain objects), plus a few labels
fetched once per batch, so a notification says the same whenever the relay gets to it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.utils.dateparse import parse_datetime

from smarketing.notifications.kinds import Kind


@dataclass(frozen=True)
class Draft:
    user_id: int
    kind: str
    title: str
    body: str
    url: str


@dataclass
class Batch:
    """Labels the builders share, fetched once for a whole relay batch."""

    slugs: dict[int, str] = field(default_factory=dict)
    leads: dict[int, str] = field(default_factory=dict)  # lead id -> "Name (Company)"
    admins: dict[int, list[int]] = field(default_factory=dict)  # tenant id -> admin user ids
    zones: dict[int, str] = field(default_factory=dict)  # tenant id -> IANA timezone name

    def when(self, tenant_id: int, value: Any) -> str:
        """A payload's UTC instant in the tenant's own time, as every page shows times."""
        moment = parse_datetime(value) if isinstance(value, str) else None
        if moment is None:
            return ""
        try:
            zone = ZoneInfo(self.zones.get(tenant_id) or "UTC")
        except (ZoneInfoNotFoundError, ValueError):
            zone = ZoneInfo("UTC")
        return moment.astimezone(zone).strftime("%d %b %Y, %H:%M %Z").strip()

    def lead_url(self, tenant_id: int, lead_id: Any) -> str:
        slug = self.slugs.get(tenant_id)
        return f"/t/{slug}/leads/{lead_id}/" if slug and lead_id else ""

    def page(self, tenant_id: int, path: str) -> str:
        slug = self.slugs.get(tenant_id)
        return f"/t/{slug}/{path}" if slug else ""

    def lead_label(self, data: dict[str, Any], lead_id: Any = None) -> str:
        lead_id = lead_id if lead_id is not None else data.get("id")
        known = self.leads.get(lead_id) if isinstance(lead_id, int) else None
        if known:
            return known
        name = " ".join(p for p in (data.get("first_name"), data.get("last_name")) if p)
        return name or data.get("email") or f"lead #{lead_id}"


def _person_id(value: Any) -> int | None:
    if isinstance(value, dict) and isinstance(value.get("id"), int):
        return value["id"]
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _people(values: Any) -> list[int]:
    found = [_person_id(value) for value in values or []] if isinstance(values, list) else []
    return list(dict.fromkeys(uid for uid in found if uid is not None))


_OBLIGATION = {"accept": "Accept or reject", "first_touch": "First touch on"}


def lead_assigned(tenant_id: int, data: dict, batch: Batch) -> list[Draft]:
    owner = _person_id(data.get("owner"))
    if owner is None:
        return []
    label = batch.lead_label(data)
    company = data.get("company") or ""
    return [Draft(owner, Kind.LEAD_ASSIGNED, f"Lead routed to you: {label}",
                  f"{label}{f' at {company}' if company else ''} is yours to accept or reject "
                  "within the SLA.", batch.lead_url(tenant_id, data.get("id")))]  # fmt: skip


def sla_warning(tenant_id: int, data: dict, batch: Batch) -> list[Draft]:
    label = batch.lead_label({}, data.get("lead"))
    what = _OBLIGATION.get(data.get("kind"), "Answer")
    due = batch.when(tenant_id, data.get("due_at"))
    return [
        Draft(uid, Kind.SLA_WARNING, f"SLA deadline close: {what.lower()} {label}",
              f"80% of the time is used. {what} {label} by {due}.",
              batch.lead_url(tenant_id, data.get("lead")))
        for uid in _people(data.get("notify"))
    ]  # fmt: skip


def sla_breached(tenant_id: int, data: dict, batch: Batch) -> list[Draft]:
    label = batch.lead_label({}, data.get("lead"))
    what = _OBLIGATION.get(data.get("kind"), "Answer")
    owner = data.get("owner") or {}
    body = f"{what} {label} was due {batch.when(tenant_id, data.get('due_at'))}."
    if owner.get("email"):
        body += f" Owner: {owner['email']}."
    rerouted = data.get("rerouted_to") or {}
    if rerouted.get("email"):
        body += f" Re-routed to {rerouted['email']}."
    return [
        Draft(uid, Kind.SLA_BREACHED, f"SLA breached: {what.lower()} {label}", body,
              batch.lead_url(tenant_id, data.get("lead")))
        for uid in _people(data.get("notify"))
    ]  # fmt: skip


def lead_cold(tenant_id: int, data: dict, batch: Batch) -> list[Draft]:
    owner = _person_id(data.get("owner"))
    if owner is None:
        return []
    label = batch.lead_label(data)
    days = data.get("cold_after_days")
    quiet = f"No activity for {days} days." if days else "No activity for a while."
    return [Draft(owner, Kind.LEAD_COLD, f"Lead gone cold: {label}",
                  f"{quiet} Log a touch to warm it up.",
                  batch.lead_url(tenant_id, data.get("id")))]  # fmt: skip


def action_item_due(tenant_id: int, data: dict, batch: Batch) -> list[Draft]:
    """An alignment meeting's action item: to its assignee (or owner, or the listed people)."""
    people = _people([data.get("assignee") or data.get("owner")]) or _people(data.get("notify"))
    title = data.get("title") or data.get("text") or "an action item"
    due = data.get("due_on") or batch.when(tenant_id, data.get("due_at"))
    meeting = data.get("meeting")
    meeting_id = _person_id(meeting) if isinstance(meeting, dict) else meeting
    url = batch.page(tenant_id, f"meetings/{meeting_id}/" if meeting_id else "meetings/")
    return [
        Draft(uid, Kind.ACTION_ITEM_DUE, f"Action item due: {title}"[:200],
              f"{title} is due{f' on {due}' if due else ''}.", url)
        for uid in people
    ]  # fmt: skip


def sla_review_due(tenant_id: int, data: dict, batch: Batch) -> list[Draft]:
    name = data.get("name") or f"version {data.get('number')}"
    return [
        Draft(uid, Kind.SLA_REVIEW_DUE, f"SLA review due: {name}",
              f"The SLA {name} was due for review on {data.get('review_on')}: meet, check the "
              "numbers, agree new terms.", batch.page(tenant_id, "sla/"))
        for uid in _people(data.get("notify"))
    ]  # fmt: skip


def webhook_disabled(tenant_id: int, data: dict, batch: Batch) -> list[Draft]:
    url = data.get("url") or "an endpoint"
    endpoint = data.get("id")
    link = batch.page(tenant_id, f"settings/webhooks/{endpoint}/" if endpoint else "settings/")
    return [
        Draft(uid, Kind.WEBHOOK_DISABLED, f"Webhook endpoint disabled: {url}"[:200],
              f"Deliveries to {url} kept failing, so it was disabled: {data.get('reason', '')}. "
              "Fix the receiver, then enable it again.", link)
        for uid in batch.admins.get(tenant_id, [])
    ]  # fmt: skip


BUILDERS: dict[str, Callable[[int, dict, Batch], list[Draft]]] = {
    "lead.assigned": lead_assigned,
    "sla.warning": sla_warning,
    "sla.breached": sla_breached,
    "lead.cold": lead_cold,
    "meeting.action_item_due": action_item_due,
    "sla.review_due": sla_review_due,
    "webhook.endpoint_disabled": webhook_disabled,
}

# Events whose builders name a lead by its id only.
LEAD_ID_KEYS = {"sla.warning": "lead", "sla.breached": "lead"}
