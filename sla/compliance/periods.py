"""The period and grouping of a compliance report, parsed from query parameters."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sla.errors import InvalidSlaData

GROUPS = ("rep", "team", "week")
DEFAULT_DAYS = 30
MAX_DAYS = 3660


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # inclusive

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


def parse_period(params, *, today: date) -> Period:
    """`from`/`to` (YYYY-MM-DD, inclusive); the last 30 days up to today by default."""
    values: dict[str, date] = {}
    defaults = {"from": today - timedelta(days=DEFAULT_DAYS - 1), "to": today}
    for name, fallback in defaults.items():
        raw = (params.get(name) or "").strip()
        try:
            values[name] = date.fromisoformat(raw) if raw else fallback
        except ValueError:
            raise InvalidSlaData({name: ["A date as YYYY-MM-DD."]}) from None
    if values["from"] > values["to"]:
        raise InvalidSlaData({"from": ["The first day is after the last."]})
    if (values["to"] - values["from"]).days >= MAX_DAYS:
        raise InvalidSlaData({"from": ["At most ten years at once."]})
    return Period(start=values["from"], end=values["to"])


def parse_group_by(params) -> str | None:
    group_by = (params.get("group_by") or "").strip() or None
    if group_by is not None and group_by not in GROUPS:
        raise InvalidSlaData({"group_by": [f"Use one of {', '.join(GROUPS)}."]})
    return group_by


def parse_team(params) -> int | None:
    raw = (params.get("team") or "").strip()
    if not raw:
        return None
    if not (raw.isascii() and raw.isdigit() and len(raw) < 19):
        raise InvalidSlaData({"team": ["A team id."]})
    return int(raw)
