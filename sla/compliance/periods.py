"""The period and grouping of a compliance report, parsed from query parameters."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sla.errors import InvalidSlaData
from smarketing.api.params import MAX_ID, query_int

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


def parse_period(params, *, today: date, blank_is_default: bool = True) -> Period:
    """`from`/`to` (YYYY-MM-DD, inclusive); the last 30 days up to today by default.

    A form leaves a date it does not set blank; the API, whose schema calls both dates,
    refuses a blank one (`blank_is_default=False`) and takes only an absent one as default.
    """
    values: dict[str, date] = {}
    defaults = {"from": today - timedelta(days=DEFAULT_DAYS - 1), "to": today}
    for name, fallback in defaults.items():
        raw = params.get(name)
        if raw is None or (blank_is_default and not raw.strip()):
            values[name] = fallback
            continue
        try:
            values[name] = date.fromisoformat(raw.strip())
        except ValueError:
            raise InvalidSlaData({name: ["A date as YYYY-MM-DD."]}) from None
    if values["from"] > values["to"]:
        raise InvalidSlaData({"from": ["The first day is after the last."]})
    if (values["to"] - values["from"]).days >= MAX_DAYS:
        raise InvalidSlaData({"from": ["At most ten years at once."]})
    return Period(start=values["from"], end=values["to"])


def parse_group_by(params) -> str | None:
    group_by = params.get("group_by")
    if group_by is not None and group_by not in GROUPS:
        raise InvalidSlaData({"group_by": [f"Use one of {', '.join(GROUPS)}."]})
    return group_by


def parse_team(params) -> int | None:
    return query_int(params, "team", minimum=1, maximum=MAX_ID)
