"""The registry of home tiles: what each role sees first on `/t/<slug>/`.

A tile is a function of the visit (`HomeContext`) that returns what to show (`TileData`):
a title, a few figures, a few rows and the URL of the filtered page behind it. Apps register
their tiles in `AppConfig.ready` (see `sla/home.py`, `leads/home.py`); the core knows none of
them. Adding a tile is one `register_tile(...)` call.

Every tile reads a fixed number of queries whatever the data (a few aggregates and the first
`ROWS` rows), so the home costs the same for a new tenant and a busy one; each tile has a
test that says so.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from smarketing.tenancy.actors import Actor

# How many rows a tile lists; the page behind it has the rest.
ROWS = 5


@dataclass(frozen=True)
class HomeContext:
    """One member's visit to the home: who, where, when, and since when they were away."""

    request: Any
    tenant: Any
    user: Any
    role: str
    now: datetime
    # The start of the current visit's "new" window: the member's previous visit, or None
    # on their first one.
    last_visit: datetime | None = None

    @property
    def actor(self) -> Actor:
        return Actor.member(self.user, self.role)

    def page(self, path: str = "", **query: Any) -> str:
        """A link to the tenant's page `path` with its filters: page("queue/", overdue="on")."""
        url = f"/t/{self.tenant.slug}/{path}"
        pairs = [(key, value) for key, value in query.items() if value not in (None, "")]
        return f"{url}?{urlencode(pairs, doseq=True)}" if pairs else url


@dataclass(frozen=True)
class Figure:
    label: str
    value: Any
    url: str = ""
    # "alert" (needs action now), "warn" (soon), "ok", or "" (neutral)
    tone: str = ""
    detail: str = ""


@dataclass(frozen=True)
class Row:
    text: str
    url: str = ""
    detail: str = ""
    when: datetime | None = None
    when_label: str = ""
    tone: str = ""


@dataclass(frozen=True)
class TileData:
    title: str
    url: str
    link_label: str = "Open"
    figures: list[Figure] = field(default_factory=list)
    rows: list[Row] = field(default_factory=list)
    # Shown instead of the rows when there are none.
    empty: str = ""
    # A sentence above the figures: an empty state that says what to do, or a caveat.
    note: str = ""
    note_url: str = ""
    note_link: str = ""


Build = Callable[[HomeContext], TileData]


@dataclass(frozen=True)
class Tile:
    key: str
    roles: frozenset[str]
    order: int
    build: Build
    # A lazy tile is fetched by the page after it loads (htmx), for reads that wait on
    # something slower than the database (the workers' ping).
    lazy: bool = False
    title: str = ""


_tiles: dict[str, Tile] = {}


def register_tile(
    key: str, *, roles: Iterable[str], order: int, build: Build, lazy: bool = False, title: str = ""
) -> None:
    """Show `build(context)` on the home of members with one of `roles`, by `order`.

    `title` is what a lazy tile shows while it loads. Registering a key again replaces it.
    """
    _tiles[key] = Tile(key, frozenset(roles), order, build, lazy, title or key)


def tiles_for(role: str) -> list[Tile]:
    """The tiles a member of `role` sees, in order."""
    return sorted(
        (tile for tile in _tiles.values() if role in tile.roles), key=lambda t: (t.order, t.key)
    )


def tile_for(key: str, *, role: str) -> Tile | None:
    """The tile `key` if a member of `role` may see it."""
    tile = _tiles.get(key)
    return tile if tile is not None and role in tile.roles else None
