"""What each event tells whom: the registry of notification builders, and what they share.

Apps register a builder for each of their events that reaches people (as they subscribe
event handlers), in their `AppConfig.ready`; the core knows none of them. A builder reads
the payload the outbox stored (never live domain objects), plus labels fetched once per
relay batch by loaders the apps register too, so a notification says the same whenever
the relay gets to it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.utils.dateparse import parse_datetime


@dataclass(frozen=True)
class Draft:
    user_id: int
    kind: str
    title: str
    body: str
    url: str


@dataclass
class Batch:
    """What the builders share, fetched once for a whole relay batch."""

    slugs: dict[int, str] = field(default_factory=dict)
    # label kind ("lead", ...) -> object id -> its label, from the registered loaders
    labels: dict[str, dict[int, str]] = field(default_factory=dict)
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

    def page(self, tenant_id: int, path: str) -> str:
        """The link to a tenant's page, e.g. page(1, "sla/") -> "/t/acme/sla/"."""
        slug = self.slugs.get(tenant_id)
        return f"/t/{slug}/{path}" if slug else ""

    def label(self, kind: str, object_id: Any) -> str | None:
        return self.labels.get(kind, {}).get(object_id) if isinstance(object_id, int) else None


Builder = Callable[[int, dict, Batch], list[Draft]]
LabelLoader = Callable[[set[int]], dict[int, str]]


@dataclass(frozen=True)
class _Registered:
    build: Builder
    label: tuple[str, str] | None  # (label kind, payload key holding the object's id)
    needs_admins: bool


_builders: dict[str, _Registered] = {}
_label_loaders: dict[str, LabelLoader] = {}


def register_builder(
    event_type: str,
    build: Builder,
    *,
    label: tuple[str, str] | None = None,
    needs_admins: bool = False,
) -> None:
    """Notify people of `event_type` with `build(tenant_id, data, batch)`.

    `label=(kind, key)`: the payload names an object by its id only, under `key`; the batch
    then holds its label from the loader registered for `kind`. `needs_admins`: the batch
    holds the tenant's admins.
    """
    _builders[event_type] = _Registered(build, label, needs_admins)


def register_label_loader(kind: str, loader: LabelLoader) -> None:
    """`loader(ids) -> {id: label}` for objects of `kind`, of any tenant (the relay's batch
    spans tenants)."""
    _label_loaders[kind] = loader


def notifying_event_types() -> set[str]:
    return set(_builders)


def builder_for(event_type: str) -> Builder:
    return _builders[event_type].build


def ids_to_label(event_type: str, data: dict) -> tuple[str, int] | None:
    registered = _builders.get(event_type)
    if registered is None or registered.label is None:
        return None
    kind, key = registered.label
    object_id = data.get(key)
    return (kind, object_id) if isinstance(object_id, int) else None


def needs_admins(event_type: str) -> bool:
    registered = _builders.get(event_type)
    return registered is not None and registered.needs_admins


def load_labels(wanted: dict[str, set[int]]) -> dict[str, dict[int, str]]:
    return {kind: _label_loaders[kind](ids) for kind, ids in wanted.items() if ids}


# Helpers for builders reading payloads.


def person_id(value: Any) -> int | None:
    """A person in a payload: `{"id": 7, ...}` or 7."""
    if isinstance(value, dict) and isinstance(value.get("id"), int):
        return value["id"]
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def people(values: Any) -> list[int]:
    found = [person_id(value) for value in values or []] if isinstance(values, list) else []
    return list(dict.fromkeys(uid for uid in found if uid is not None))
