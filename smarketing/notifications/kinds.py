"""The kinds of notification, the channels a person may choose for each, and the defaults.

The core knows no app's kinds: each app declares its own (`register_kind`) in the module of
its notification builders, which its `AppConfig.ready` imports.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import models


class Channel(models.TextChoices):
    IN_APP = "in_app", "In the app"
    EMAIL = "email", "By e-mail"
    BOTH = "both", "In the app and by e-mail"
    NONE = "none", "Not at all"


@dataclass(frozen=True)
class NotificationKind:
    code: str
    label: str  # what the preferences page calls it: "A lead is routed or assigned to me"
    default_channel: str  # what a person gets before choosing


_KINDS: dict[str, NotificationKind] = {}


def register_kind(code: str, label: str, *, default_channel: str) -> str:
    """Declare a kind of notification (apps do, beside their builders); returns its code.

    What needs acting on now should default to both channels; a digest is opt-in (`none`).
    Declaring the same kind again with the same words is harmless (a module imported twice).
    """
    kind = NotificationKind(code, label, Channel(default_channel))
    known = _KINDS.setdefault(code, kind)
    if known != kind:
        raise ValueError(f"Notification kind {code!r} is declared twice, differently.")
    return code


def registered_kinds() -> list[NotificationKind]:
    """Every kind, in the order the apps declared them (the preferences page's order)."""
    return list(_KINDS.values())


def kind_codes() -> list[str]:
    return list(_KINDS)


def kind_label(code: str) -> str:
    kind = _KINDS.get(code)
    return kind.label if kind else code.replace("_", " ").replace(".", " ").capitalize()


def channel_for(preferences: Any, kind: str) -> str:
    """The channel a person chose for `kind` (stored preferences may be partial or stale)."""
    chosen = preferences.get(kind) if isinstance(preferences, dict) else None
    if chosen in Channel.values:
        return chosen
    known = _KINDS.get(kind)
    return known.default_channel if known else Channel.NONE


def wants_in_app(channel: str) -> bool:
    return channel in (Channel.IN_APP, Channel.BOTH)


def wants_email(channel: str) -> bool:
    return channel in (Channel.EMAIL, Channel.BOTH)
