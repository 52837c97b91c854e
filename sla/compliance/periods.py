"""The period, grouping and team of a compliance report, parsed from query parameters.

The period is the one period type of every report (`smarketing.periods`), in the SLA
calendar's timezone: the days the rollups are kept in.
"""

from __future__ import annotations

from datetime import datetime

from sla.errors import InvalidSlaData
from smarketing.api.params import MAX_ID, query_int
from smarketing.periods import Period, parse_range

GROUPS = ("rep", "team", "week")
DEFAULT_DAYS = 30


def parse_period(
    params, *, tz_name: str, blank_is_default: bool = True, now: datetime | None = None
) -> Period:
    """`from`/`to` (YYYY-MM-DD, inclusive); the last 30 days up to today by default."""
    return parse_range(params, tz_name=tz_name, default_days=DEFAULT_DAYS,
                       blank_is_default=blank_is_default, now=now)  # fmt: skip


def parse_group_by(params) -> str | None:
    group_by = params.get("group_by")
    if group_by is not None and group_by not in GROUPS:
        raise InvalidSlaData({"group_by": [f"Use one of {', '.join(GROUPS)}."]})
    return group_by


def parse_team(params) -> int | None:
    return query_int(params, "team", minimum=1, maximum=MAX_ID)
