"""The funnel report: each stage's count, its conversion from the stage above, and how long
leads spent in it before the next one, in two modes (see docs/reports.md):

- `flow`: the moves made in the period. A stage counts the moves into it (the `lead` stage
  the leads created), exactly the period's figures of `figures.flow_figures`; the time in a
  stage is that of the moves out of it to the next stage made in the period.
- `cohort`: the leads created in the period, followed to today. A stage counts those leads
  that ever reached it; the time in a stage is that of their moves out of it, whenever made.

Times come from `StageTransition.step_started_at` (when the lead entered the step it leaves),
so a figure reads the period's rows only, not each lead's whole history.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.contrib.postgres.fields import ArrayField
from django.db import connection
from django.db.models import (
    Aggregate,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    FloatField,
    Q,
    QuerySet,
)
from django.db.models.functions import TruncWeek

from leads.funnel import definitions
from leads.funnel.figures import transitions_in
from leads.funnel.labels import group_labels
from leads.models import Lead, StageTransition
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
# The step whose time a stage's move ends: time in `mql` is that of the moves into `sql`.
_NEXT = dict(zip(definitions.STAGES, definitions.STAGES[1:], strict=False))
_STEP = ExpressionWrapper(F("at") - F("step_started_at"), output_field=DurationField())


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


@dataclass
class _Tally:
    """One group's counts per stage, and the hours of its steps: raw (to merge, e.g. a rep's
    into each of their teams) or as the database's (median, p90)."""

    counts: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    hours: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    percentiles: dict[str, tuple[float | None, float | None]] = field(default_factory=dict)

    def merge(self, other: _Tally) -> None:
        for stage, count in other.counts.items():
            self.counts[stage] += count
        for stage, values in other.hours.items():
            self.hours[stage].extend(values)

    def times(self, stage: str) -> tuple[float | None, float | None]:
        if stage in self.percentiles:
            return self.percentiles[stage]
        return median_and_p90(self.hours.get(stage, []))

    def is_empty(self) -> bool:
        return not any(self.counts.values())


def median_and_p90(values: list[float]) -> tuple[float | None, float | None]:
    """Linear interpolation between the closest ranks, as PostgreSQL's `percentile_cont`."""
    if not values:
        return None, None
    if len(values) == 1:
        return _hours(values[0]), _hours(values[0])
    p90 = statistics.quantiles(values, n=10, method="inclusive")[8]
    return _hours(statistics.median(values)), _hours(p90)


def _hours(value: float | timedelta | None) -> float | None:
    if value is None:
        return None
    seconds = value.total_seconds() if isinstance(value, timedelta) else value
    return round(seconds / 3600, 2)


class _MedianAndP90(Aggregate):
    """PostgreSQL's `percentile_cont` at 0.5 and 0.9 of a duration, in seconds: both from
    one sort of the values (only read on PostgreSQL)."""

    function = "percentile_cont"
    template = (
        "%(function)s(ARRAY[0.5, 0.9]) WITHIN GROUP (ORDER BY EXTRACT(EPOCH FROM %(expressions)s))"
    )
    output_field = ArrayField(FloatField())


# --- reading -----------------------------------------------------------------------------------


def _created_in(period: Period) -> Q:
    return Q(created_at__gte=period.start, created_at__lt=period.end, merged_into__isnull=True)


def _step_rows(period: Period, mode: str) -> QuerySet:
    """The transitions that enter a stage below `lead`, of the period or of its cohort."""
    entries = Q()
    for condition in definitions.ENTERED_BY.values():
        entries |= condition
    if mode == "flow":
        return transitions_in(period).filter(entries)
    return StageTransition.objects.filter(
        entries,
        lead__created_at__gte=period.start,
        lead__created_at__lt=period.end,
        lead__merged_into__isnull=True,
    )


def _lead_counts(period: Period, key: str | None) -> dict[Any, int]:
    leads = Lead.objects.filter(_created_in(period)).order_by()
    if key is None:
        return {None: leads.count()}
    return dict(leads.values_list(key).annotate(n=Count("id")).values_list(key, "n"))


def _stage_aggregates(mode: str) -> dict[str, Any]:
    # Cohort stages count leads that reached them; flow stages count the moves (figures).
    aggregates: dict[str, Any] = {}
    for stage, condition in definitions.ENTERED_BY.items():
        aggregates[f"n_{stage}"] = Count(
            "lead_id" if mode == "cohort" else "id", distinct=mode == "cohort", filter=condition
        )
    return aggregates


def _percentile_aggregates() -> dict[str, Any]:
    aggregates: dict[str, Any] = {}
    for stage, following in _NEXT.items():
        timed = definitions.ENTERED_BY[following] & Q(step_started_at__isnull=False)
        aggregates[f"times_{stage}"] = _MedianAndP90(_STEP, filter=timed)
    return aggregates


def _tallies(period: Period, mode: str, key: str | None, *, raw_hours: bool) -> dict[Any, _Tally]:
    """Per value of the lead field `key` (everything under None for no key)."""
    tallies: dict[Any, _Tally] = defaultdict(_Tally)
    for value, count in _lead_counts(period, key).items():
        tallies[value].counts["lead"] = count
    rows = _step_rows(period, mode).order_by()
    on_postgres = connection.vendor == "postgresql" and not raw_hours
    aggregates = {**_stage_aggregates(mode), **(_percentile_aggregates() if on_postgres else {})}
    grouped = [rows.aggregate(**aggregates)] if key is None else None
    if key is not None:
        grouped = list(rows.values(f"lead__{key}").annotate(**aggregates))
    for row in grouped:
        tally = tallies[row.get(f"lead__{key}") if key else None]
        for stage in definitions.ENTERED_BY:
            tally.counts[stage] = row[f"n_{stage}"] or 0
        if on_postgres:
            for stage in _NEXT:
                median, p90 = row[f"times_{stage}"] or (None, None)
                tally.percentiles[stage] = (_hours(median), _hours(p90))
    if not on_postgres:
        _read_hours(rows, key, tallies)
    return tallies


def _read_hours(rows: QuerySet, key: str | None, tallies: dict[Any, _Tally]) -> None:
    """Every step's hours, for the databases without `percentile_cont` and for merging."""
    stage_of = {following: stage for stage, following in _NEXT.items()}
    fields = ["action", "to_stage", "reason_code", "at", "step_started_at"]
    if key is not None:
        fields.append(f"lead__{key}")
    for row in rows.filter(step_started_at__isnull=False).values(*fields).iterator(2000):
        figure = definitions.figure_of(
            action=row["action"], to_stage=row["to_stage"], reason_code=row["reason_code"]
        )
        entered = _STAGE_OF_FIGURE.get(figure)
        if entered in stage_of:
            seconds = (row["at"] - row["step_started_at"]).total_seconds()
            tallies[row.get(f"lead__{key}") if key else None].hours[stage_of[entered]].append(
                seconds
            )


_STAGE_OF_FIGURE = {figure: stage for stage, figure in definitions.FIGURE_OF_STAGE.items()}


def _team_tallies(period: Period, mode: str) -> dict[Any, _Tally]:
    """A rep's figures count in each of their teams (as in the compliance report); leads
    nobody owns are "unassigned", and a tenant without teams is one group, "all"."""
    from leads.routing.selectors import team_members

    members = team_members()
    teams_of: dict[int, list[int]] = defaultdict(list)
    for team_id, user_ids in members.items():
        for user_id in user_ids:
            teams_of[user_id].append(team_id)
    merged: dict[Any, _Tally] = defaultdict(_Tally)
    for owner_id, tally in _tallies(period, mode, "owner_id", raw_hours=True).items():
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


def _stages(tally: _Tally) -> list[dict[str, Any]]:
    stages = []
    above: int | None = None
    for stage in definitions.STAGES:
        count = tally.counts.get(stage, 0)
        median, p90 = tally.times(stage) if stage in _NEXT else (None, None)
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
    total = _tallies(period, mode, None, raw_hours=False)[None]
    groups: list[dict[str, Any]] = []
    if group_by is not None:
        if group_by == "team":
            tallies = _team_tallies(period, mode)
        else:
            tallies = _tallies(period, mode, _LEAD_FIELD[group_by], raw_hours=False)
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
        Lead.objects.filter(_created_in(period))
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
