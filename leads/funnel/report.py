"""The funnel report: each stage's count, its conversion from the stage above, and how long
leads spent in it before the next one, in two modes (see docs/reports.md):

- `flow`: the moves made in the period. A stage counts the moves into it (the `lead` stage
  the leads created), exactly the period's figures of `figures.flow_figures`; the time in a
  stage is that of the moves out of it to the next stage made in the period.
- `cohort`: the leads created in the period, followed to today. A stage counts those leads
  that ever reached it; the time in a stage is that of their moves out of it, whenever made.

Times come from `StageTransition.step_started_at` (when the lead entered the step it leaves),
so a figure reads the period's rows only, not each lead's whole history; they are kept as
duration histograms (`durations`), so that days add up. A flow's totals read the daily
rollup (`rollups`) for its closed days; cohorts and groups read the raw history
(`tallies`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from django.db.models import Count
from django.db.models.functions import TruncWeek

from leads.funnel import definitions
from leads.funnel.figures import transitions_in
from leads.funnel.labels import group_labels
from leads.funnel.rollups import rolled_up_part
from leads.funnel.tallies import NEXT, Tally, created_in, lead_counts, step_rows, step_tallies
from leads.models import Lead
from smarketing.errors import InvalidInput
from smarketing.periods import Period

MODES = ("flow", "cohort")
GROUPS = ("campaign", "channel", "persona", "team", "country")
DEFAULT_DAYS = 90
MAX_DAYS = 731  # two years: the longest range the funnel reads at once
# The lead's field each grouping reads (as the lead is now); `team` is its owner's teams.
_LEAD_FIELD = {
    "campaign": "campaign_id",
    "channel": "campaign__channel",
    "persona": "persona_id",
    "team": "owner_id",
    "country": "country",
}


class InvalidReportParameter(InvalidInput):
    code = "invalid_parameter"
    title = "Invalid report parameter"


def parse_choice(params, name: str, choices: Iterable[str], *, default: str | None) -> str | None:
    """A parameter that must be one of `choices`; absent gives `default`."""
    choices = tuple(choices)
    raw = params.get(name)
    if raw is None or (default is None and raw == ""):
        return default
    if raw not in choices:
        raise InvalidReportParameter({name: [f"Use one of {', '.join(choices)}."]})
    return raw


# --- tallies -----------------------------------------------------------------------------------


def _total(period: Period, mode: str) -> Tally:
    """All leads' funnel. A flow reads its closed days from the daily rollup and only the
    days after them from the raw history; the `lead` stage always counts the leads table
    (a merge changes which leads count, and the count reads an index)."""
    if mode == "flow":
        tally, live = rolled_up_part(period)
        if live is not None:
            tally.merge(step_tallies(step_rows(live, mode), mode=mode, key=None)[None])
    else:
        tally = step_tallies(step_rows(period, mode), mode=mode, key=None)[None]
    tally.counts["lead"] = lead_counts(period, None)[None]
    return tally


def _tallies(period: Period, mode: str, key: str) -> dict[Any, Tally]:
    """Per value of the lead field `key`: the raw history (a group is the lead as it is now,
    which no stored day could follow)."""
    tallies = step_tallies(step_rows(period, mode), mode=mode, key=f"lead__{key}")
    for value, count in lead_counts(period, key).items():
        tallies[value].counts["lead"] = count
    return tallies


def _team_tallies(period: Period, mode: str) -> dict[Any, Tally]:
    """A rep's figures count in each of their teams (as in the compliance report); leads
    nobody owns are "unassigned", and a tenant without teams is one group, "all"."""
    from leads.routing.selectors import team_members

    members = team_members()
    teams_of: dict[int, list[int]] = defaultdict(list)
    for team_id, user_ids in members.items():
        for user_id in user_ids:
            teams_of[user_id].append(team_id)
    merged: dict[Any, Tally] = defaultdict(Tally)
    for owner_id, tally in _tallies(period, mode, "owner_id").items():
        if owner_id is None:
            keys: list[Any] = ["unassigned"]
        elif not members:
            keys = ["all"]
        else:
            keys = teams_of.get(owner_id) or ["none"]
        for key in keys:
            merged[key].merge(tally)
    return merged


# --- the report --------------------------------------------------------------------------------


def _stages(tally: Tally) -> list[dict[str, Any]]:
    stages = []
    above: int | None = None
    for stage in definitions.STAGES:
        count = tally.counts.get(stage, 0)
        median, p90 = tally.median_and_p90(stage) if stage in NEXT else (None, None)
        stages.append({
            "stage": stage, "count": count,
            "conversion": definitions.rate(count, above) if above is not None else None,
            "median_hours": median, "p90_hours": p90,
        })  # fmt: skip
        above = count
    return stages


def funnel_report(*, period: Period, mode: str, group_by: str | None = None) -> dict[str, Any]:
    """The funnel of the current tenant over `period` (see the module doc)."""
    if mode not in MODES:
        raise ValueError(mode)
    total = _total(period, mode)
    groups: list[dict[str, Any]] = []
    if group_by is not None:
        if group_by == "team":
            tallies = _team_tallies(period, mode)
        else:
            tallies = _tallies(period, mode, _LEAD_FIELD[group_by])
        labels = group_labels(group_by, list(tallies))
        for key, tally in tallies.items():
            if tally.is_empty():
                continue
            groups.append({"key": key, "label": labels.get(key, str(key)),
                           "stages": _stages(tally)})  # fmt: skip
        groups.sort(key=lambda g: (-g["stages"][0]["count"], -g["stages"][1]["count"], g["label"]))
    return {
        "from": period.first_day,
        "to": period.last_day,
        "mode": mode,
        "stages": _stages(total),
        "groups": groups,
    }


def weekly_velocity(*, period: Period) -> list[dict[str, Any]]:
    """New leads, MQLs and SQL hand-offs per week (Monday first) of the period: the pace at
    which the top of the funnel fills, every week shown, quiet ones too."""
    zone = period.zone
    leads = dict(
        Lead.objects.filter(created_in(period))
        .order_by()
        .annotate(week=TruncWeek("created_at", tzinfo=zone))
        .values_list("week")
        .annotate(n=Count("id"))
        .values_list("week", "n")
    )
    moves = {
        row["week"]: row
        for row in transitions_in(period)
        .order_by()
        .annotate(week=TruncWeek("at", tzinfo=zone))
        .values("week")
        .annotate(
            mqls=Count("id", filter=definitions.MQL),
            sqls=Count("id", filter=definitions.SQL_HANDOFF),
        )
    }
    by_day = {_day(week): count for week, count in leads.items()}
    moves_by_day = {_day(week): row for week, row in moves.items()}
    weeks = []
    week = period.first_day - timedelta(days=period.first_day.weekday())
    while week <= period.last_day:
        row = moves_by_day.get(week, {})
        weeks.append({
            "week": week, "leads": by_day.get(week, 0), "mqls": row.get("mqls", 0),
            "sql_handoffs": row.get("sqls", 0),
        })  # fmt: skip
        week += timedelta(days=7)
    return weeks


def _day(value) -> Any:
    return value.date() if hasattr(value, "date") else value
