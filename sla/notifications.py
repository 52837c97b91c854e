"""What the SLA's events tell people (registered in `SlaConfig.ready`)."""

from __future__ import annotations

from leads.notifications import lead_label, lead_url
from smarketing.notifications.builders import Batch, Draft, people, register_builder
from smarketing.notifications.kinds import Kind

_OBLIGATION = {"accept": "Accept or reject", "first_touch": "First touch on"}


def sla_warning(tenant_id: int, data: dict, batch: Batch) -> list[Draft]:
    label = lead_label(batch, {}, data.get("lead"))
    what = _OBLIGATION.get(data.get("kind"), "Answer")
    due = batch.when(tenant_id, data.get("due_at"))
    return [
        Draft(uid, Kind.SLA_WARNING, f"SLA deadline close: {what.lower()} {label}",
              f"80% of the time is used. {what} {label} by {due}.",
              lead_url(batch, tenant_id, data.get("lead")))
        for uid in people(data.get("notify"))
    ]  # fmt: skip


def sla_breached(tenant_id: int, data: dict, batch: Batch) -> list[Draft]:
    label = lead_label(batch, {}, data.get("lead"))
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
              lead_url(batch, tenant_id, data.get("lead")))
        for uid in people(data.get("notify"))
    ]  # fmt: skip


def sla_review_due(tenant_id: int, data: dict, batch: Batch) -> list[Draft]:
    name = data.get("name") or f"version {data.get('number')}"
    return [
        Draft(uid, Kind.SLA_REVIEW_DUE, f"SLA review due: {name}",
              f"The SLA {name} was due for review on {data.get('review_on')}: meet, check the "
              "numbers, agree new terms.", batch.page(tenant_id, "sla/"))
        for uid in people(data.get("notify"))
    ]  # fmt: skip


def register() -> None:
    # The warning and the breach name their lead by id only: the batch loads its label.
    register_builder("sla.warning", sla_warning, label=("lead", "lead"))
    register_builder("sla.breached", sla_breached, label=("lead", "lead"))
    register_builder("sla.review_due", sla_review_due)
