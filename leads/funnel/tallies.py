"""Reading the funnel's stage counts and step times from the raw history, per group.

One reader serves every path: the report's totals and groups, its live days in front of the
daily rollups, and the rollups' own build (grouped by local day). So what a rolled-up day
holds is, by construction, what the raw read of that day gives.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import Case, CharField, Count, Q, QuerySet, Value, When
from django.db.models.expressions import RawSQL

from leads.funnel import definitions, durations
from leads.funnel.figures import transitions_in
from leads.models import Lead, StageTransition
from smarketing.periods import Period

# The step whose time a stage's move ends: time in `mql` is that of the moves into `sql`.
NEXT = dict(zip(definitions.STAGES, definitions.STAGES[1:], strict=False))
# The stage a move ends the time in: a move into `sql` ends the time in `mql`.
_TIMED_BY = {following: stage for stage, following in NEXT.items()}
_STAGE_OF_FIGURE = {figure: stage for stage, figure in definitions.FIGURE_OF_STAGE.items()}


@dataclass
class Tally:
    """One group's counts per stage, and its step times as duration histograms per stage
    (`durations`): both add up, so days, owners or teams merge by addition."""

    counts: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    times: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))

    def merge(self, other: Tally) -> None:
        for stage, count in other.counts.items():
            self.counts[stage] += count
        for stage, histogram in other.times.items():
            self.times[stage].update(histogram)

    def median_and_p90(self, stage: str) -> tuple[float | None, float | None]:
        return durations.median_and_p90(self.times.get(stage, {}))

    def is_empty(self) -> bool:
        return not any(self.counts.values())


def created_in(period: Period) -> Q:
    return Q(created_at__gte=period.start, created_at__lt=period.end, merged_into__isnull=True)


def lead_counts(period: Period, key: str | None) -> dict[Any, int]:
    """The `lead` stage: leads created in the period (merged-away leads once, as survivors)."""
    leads = Lead.objects.filter(created_in(period)).order_by()
    if key is None:
        return {None: leads.count()}
    return dict(leads.values_list(key).annotate(n=Count("id")).values_list(key, "n"))


def step_rows(period: Period, mode: str) -> QuerySet:
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


def _distinct_leads() -> dict[str, Any]:
    # Cohort stages count the leads that reached them, each once.
    return {f"n_{stage}": Count("lead_id", distinct=True, filter=condition)
            for stage, condition in definitions.ENTERED_BY.items()}  # fmt: skip


def _moves() -> dict[str, Any]:
    # Flow stages count the moves (the figures). `lead_id`, never null, rather than `id`:
    # the count then reads nothing outside the partial index `transition_at_idx`.
    return {f"n_{stage}": Count("lead_id", filter=condition)
            for stage, condition in definitions.ENTERED_BY.items()}  # fmt: skip


def _entered_stage() -> Case:
    """Which stage a move enters (None for a move the funnel does not count)."""
    return Case(
        *(When(condition, then=Value(stage)) for stage, condition
          in definitions.ENTERED_BY.items()),
        output_field=CharField(),
    )  # fmt: skip


def step_tallies(
    rows: QuerySet, *, mode: str, key: str | None, key_expression: Any = None
) -> dict[Any, Tally]:
    """Counts and step times of `rows` (see `step_rows`) per value of `key`: a field of the
    transition (e.g. `lead__campaign_id`), or the name given to `key_expression`."""
    rows = rows.order_by()
    if key_expression is not None:
        rows = rows.annotate(**{key: key_expression})
    tallies: dict[Any, Tally] = defaultdict(Tally)
    on_postgres = connection.vendor == "postgresql"
    if on_postgres and mode == "flow":
        # One pass: per group, stage entered and duration bucket, the moves; the counts are
        # the sums over the buckets.
        _flow_in_sql(rows, key, tallies)
        return tallies
    if on_postgres:
        _cohort_in_sql(rows, key, tallies)
        return tallies
    aggregates = _distinct_leads() if mode == "cohort" else _moves()
    grouped = [rows.aggregate(**aggregates)] if key is None else (
        rows.values(key).annotate(**aggregates))  # fmt: skip
    for row in grouped:
        tally = tallies[row[key] if key else None]
        for stage in definitions.ENTERED_BY:
            tally.counts[stage] += row[f"n_{stage}"] or 0
    _histograms_in_python(rows.filter(step_started_at__isnull=False), key, tallies)
    return tallies


def _bucket() -> RawSQL:
    table = StageTransition._meta.db_table
    at, started = f'"{table}"."at"', f'"{table}"."step_started_at"'
    return RawSQL(
        f"CASE WHEN {started} IS NULL THEN NULL ELSE {durations.bucket_sql(at, started)} END", []
    )


def _cohort_in_sql(rows: QuerySet, key: str | None, tallies: dict[Any, Tally]) -> None:
    """A cohort's distinct leads per stage and its duration histograms, from one read of its
    moves (the join to the cohort's leads is the expensive part: done once, not twice)."""
    keys = [key] if key else []
    moves = (
        rows.annotate(entered=_entered_stage(), bucket=_bucket())
        .exclude(entered=None)
        .values_list(*keys, "lead_id", "entered", "bucket")
    )
    sql, params = moves.query.sql_with_params()
    group = "k, " if key else ""
    columns = group + "lead_id, entered, bucket"
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH s({columns}) AS MATERIALIZED ({sql}) "
            f"SELECT {group}entered, bucket, count(*) FROM s WHERE bucket IS NOT NULL "
            f"GROUP BY {group}entered, bucket "
            f"UNION ALL SELECT {group}entered, NULL, count(DISTINCT lead_id) FROM s "
            f"GROUP BY {group}entered",
            params,
        )
        for row in cursor.fetchall():
            tally = tallies[row[0] if key else None]
            entered, bucket_value, count = row[-3:]
            if bucket_value is None:
                tally.counts[entered] += count
            else:
                tally.times[_TIMED_BY[entered]][bucket_value] += count


def _flow_in_sql(rows: QuerySet, key: str | None, tallies: dict[Any, Tally]) -> None:
    keys = [key] if key else []
    histogram_rows = (
        rows.annotate(entered=_entered_stage(), bucket=_bucket())
        .exclude(entered=None)
        .values(*keys, "entered", "bucket")
        .annotate(n=Count("*"))
        .values_list(*keys, "entered", "bucket", "n")
    )
    for row in histogram_rows:
        tally = tallies[row[0] if key else None]
        entered, bucket_value, count = row[-3:]
        tally.counts[entered] += count
        if bucket_value is not None:
            tally.times[_TIMED_BY[entered]][bucket_value] += count


def _histograms_in_python(rows: QuerySet, key: str | None, tallies: dict[Any, Tally]) -> None:
    """The same histograms, bucketed here: for SQLite, which lacks the bit arithmetic."""
    fields = ["action", "to_stage", "reason_code", "at", "step_started_at"]
    if key is not None:
        fields.append(key)
    for row in rows.values(*fields).iterator(2000):
        figure = definitions.figure_of(
            action=row["action"], to_stage=row["to_stage"], reason_code=row["reason_code"]
        )
        stage = _TIMED_BY.get(_STAGE_OF_FIGURE.get(figure))
        if stage is None:
            continue
        minutes = durations.minutes_of(row["at"] - row["step_started_at"])
        tallies[row[key] if key else None].times[stage][durations.bucket_of(minutes)] += 1
