"""The kinds of notification, the channels a person may choose for each, and the defaults."""

from __future__ import annotations

from typing import Any

from django.db import models


class Kind(models.TextChoices):
    LEAD_ASSIGNED = "lead_assigned", "A lead is routed or assigned to me"
    SLA_WARNING = "sla_warning", "An SLA deadline is close (80% of the time used)"
    SLA_BREACHED = "sla_breached", "An SLA deadline was missed"
    LEAD_COLD = "lead_cold", "A lead I own went cold"
    ACTION_ITEM_DUE = "action_item_due", "An action item of mine is due"
    SLA_REVIEW_DUE = "sla_review_due", "The SLA is due for review"
    WEBHOOK_DISABLED = "webhook_disabled", "A webhook endpoint was disabled"
    # Named as the contract names them (the dotted event names).
    LEAD_REJECTED = "lead.rejected", "Sales rejected a lead I handed off"
    LEAD_REJECTED_DIGEST = "lead.rejected_digest", "A daily digest of the leads sales rejected"
    SLA_MARKETING_AT_RISK = "sla.marketing_at_risk", "Marketing's SLA commitment is at risk"
    SLA_MARKETING_MISSED = "sla.marketing_missed", "Marketing's SLA commitment was missed"


class Channel(models.TextChoices):
    IN_APP = "in_app", "In the app"
    EMAIL = "email", "By e-mail"
    BOTH = "both", "In the app and by e-mail"
    NONE = "none", "Not at all"


# What a person gets before choosing: what needs acting on now reaches the inbox too.
DEFAULT_CHANNELS: dict[str, str] = {
    Kind.LEAD_ASSIGNED: Channel.BOTH,
    Kind.SLA_WARNING: Channel.IN_APP,
    Kind.SLA_BREACHED: Channel.BOTH,
    Kind.LEAD_COLD: Channel.IN_APP,
    Kind.ACTION_ITEM_DUE: Channel.BOTH,
    Kind.SLA_REVIEW_DUE: Channel.IN_APP,
    Kind.WEBHOOK_DISABLED: Channel.BOTH,
    Kind.LEAD_REJECTED: Channel.BOTH,
    # The digest is opt-in: nobody receives it before choosing a channel for it.
    Kind.LEAD_REJECTED_DIGEST: Channel.NONE,
    Kind.SLA_MARKETING_AT_RISK: Channel.IN_APP,
    Kind.SLA_MARKETING_MISSED: Channel.BOTH,
}


def channel_for(preferences: Any, kind: str) -> str:
    """The channel a person chose for `kind` (stored preferences may be partial or stale)."""
    chosen = preferences.get(kind) if isinstance(preferences, dict) else None
    return chosen if chosen in Channel.values else DEFAULT_CHANNELS[kind]


def wants_in_app(channel: str) -> bool:
    return channel in (Channel.IN_APP, Channel.BOTH)


def wants_email(channel: str) -> bool:
    return channel in (Channel.EMAIL, Channel.BOTH)
