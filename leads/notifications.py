"""What leads' events tell people (registered in `LeadsConfig.ready`), and how a lead is named
and linked in any notification."""

from __future__ import annotations

from typing import Any

from leads.models import Lead
from smarketing.notifications.builders import (
    Batch,
    Draft,
    people,
    person_id,
    register_builder,
    register_label_loader,
)
from smarketing.notifications.kinds import Channel, register_kind

LEAD_ASSIGNED = register_kind(
    "lead_assigned", "A lead is routed or assigned to me", default_channel=Channel.BOTH
)
LEAD_COLD = register_kind("lead_cold", "A lead I own went cold", default_channel=Channel.IN_APP)
# Named as the contract names them (the dotted event names).
LEAD_REJECTED = register_kind(
    "lead.rejected", "Sales rejected a lead I handed off", default_channel=Channel.BOTH
)
# The digest is opt-in: nobody receives it before choosing a channel for it.
LEAD_REJECTED_DIGEST = register_kind(
    "lead.rejected_digest",
    "A daily digest of the leads sales rejected",
    default_channel=Channel.NONE,
)


def lead_url(batch: Batch, tenant_id: int, lead_id: Any) -> str:
    return batch.page(tenant_id, f"leads/{lead_id}/") if lead_id else ""


def lead_label(batch: Batch, data: dict[str, Any], lead_id: Any = None) -> str:
    """ "Name (Company)" when the batch loaded it, else the payload's name, e-mail or id."""
    lead_id = lead_id if lead_id is not None else data.get("id")
    known = batch.label("lead", lead_id)
    if known:
        return known
    name = " ".join(p for p in (data.get("first_name"), data.get("last_name")) if p)
    return name or data.get("email") or f"lead #{lead_id}"


def lead_labels(ids: set[int]) -> dict[int, str]:
    """Labels of leads of any tenant: a relay batch spans tenants."""
    labels = {}
    for pk, email, first, last, company in Lead.all_tenants.filter(pk__in=ids).values_list(
        "pk", "email", "first_name", "last_name", "company"
    ):
        name = " ".join(part for part in (first, last) if part) or email
        labels[pk] = f"{name} ({company})" if company else name
    return labels


def lead_assigned(tenant_id: int, data: dict, batch: Batch) -> list[Draft]:
    owner = person_id(data.get("owner"))
    if owner is None:
        return []
    label = lead_label(batch, data)
    company = data.get("company") or ""
    return [Draft(owner, LEAD_ASSIGNED, f"Lead routed to you: {label}",
                  f"{label}{f' at {company}' if company else ''} is yours to accept or reject "
                  "within the SLA.", lead_url(batch, tenant_id, data.get("id")))]  # fmt: skip


def lead_cold(tenant_id: int, data: dict, batch: Batch) -> list[Draft]:
    owner = person_id(data.get("owner"))
    if owner is None:
        return []
    label = lead_label(batch, data)
    days = data.get("cold_after_days")
    quiet = f"No activity for {days} days." if days else "No activity for a while."
    return [Draft(owner, LEAD_COLD, f"Lead gone cold: {label}",
                  f"{quiet} Log a touch to warm it up.",
                  lead_url(batch, tenant_id, data.get("id")))]  # fmt: skip


def _quoted(note: str) -> str:
    note = " ".join((note or "").split())
    return f" “{note[:300]}”" if note else ""


def lead_rejected(tenant_id: int, data: dict, batch: Batch) -> list[Draft]:
    """Sales sent a hand-off back: to the marketer who handed it off (`leads.rejections`)."""
    label = lead_label(batch, data)
    reason = data.get("reason") or data.get("reason_code") or "no reason given"
    by = data.get("by") or "Sales"
    body = f"{by} sent it back to marketing: {reason}.{_quoted(data.get('note'))}"
    return [
        Draft(uid, LEAD_REJECTED, f"Lead rejected by sales: {label} — {reason}", body,
              lead_url(batch, tenant_id, data.get("id")))
        for uid in people(data.get("notify"))
    ]  # fmt: skip


def rejections_digest(tenant_id: int, data: dict, batch: Batch) -> list[Draft]:
    """One day's rejections, each person's own (to those who opted in: the kind's default
    channel is none)."""
    mine: dict[int, list[dict]] = {}
    for item in data.get("rejections") or []:
        for uid in people(item.get("notify")):
            mine.setdefault(uid, []).append(item)
    day = data.get("day") or ""
    drafts = []
    for uid, items in mine.items():
        lines = [
            f"- {item.get('label') or 'a lead'}: {item.get('reason') or 'no reason'}"
            f"{_quoted(item.get('note'))}"
            for item in items
        ]
        count = len(items)
        title = f"{count} lead{'s' if count != 1 else ''} rejected by sales on {day}"
        drafts.append(Draft(uid, LEAD_REJECTED_DIGEST, title, "\n".join(lines),
                            batch.page(tenant_id, "feedback/")))  # fmt: skip
    return drafts


def register() -> None:
    register_label_loader("lead", lead_labels)
    register_builder("lead.assigned", lead_assigned)
    register_builder("lead.cold", lead_cold)
    register_builder("lead.rejected", lead_rejected, label=("lead", "id"))
    register_builder("lead.rejections_digest", rejections_digest)
