"""The compliance report: sales' obligations and marketing's hand-offs over a period.

Days before the rollups' live boundary (`RollupState.fresh_until`) are read from the daily
rollups; later days (today, normally) are computed from the raw rows with the same cells, so
the figures are those of a direct computation over the whole period. Sales figures are of
the obligations *opened* in the period; marketing figures of the transitions recorded in it.
"""

from __future__ import annotations

import calendar as month_calendar
from collections import defaultdict
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from itertools import chain
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.utils import timezone

from leads.models import RejectionReason
from leads.routing.models import Team
from leads.routing.selectors import team_members
from sla import selectors
from sla.compliance.figures import FunnelCell, SalesCell, SalesTally, rate
from sla.compliance.months import complemented, month_cells, negated, split_by_months
from sla.errors import NoSuchTeam
from sla.models import FunnelRollup, ObligationKind, ObligationRollup, RollupState
from sla.services.rollups import funnel_cells, obligation_cells, rollup_timezone
from smarketing.periods import Period

# The SLA promises every obligation on time: the line the on-time rate is drawn against.
ON_TIME_TARGET = 1.0
UNASSIGNED = "unassigned"
NO_TEAM = "none"
ALL_SALES = "all"
KINDS = tuple(ObligationKind.values)

_SALES_COLUMNS = ("day", "kind", "owner_id", "opened", "met_on_time", "met_late", "breached",
                  "cancelled", "response_hours_sum", "response_hundredths")  # fmt: skip


def _days(start: date, end: date) -> Iterator[date]:
    for offset in range((end - start).days + 1):
        yield start + timedelta(days=offset)


def week_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def prorated(monthly: int, start: date, end: date) -> float:
    """A monthly target over the days from `start` to `end`, each day its month's share."""
    return sum(
        monthly / month_calendar.monthrange(day.year, day.month)[1] for day in _days(start, end)
    )


# --- reading cells -----------------------------------------------------------------------------


def _live_from(state: RollupState | None, period: Period, zone: ZoneInfo) -> date:
    if state is None or state.fresh_until is None:
        return period.first_day
    return max(period.first_day, state.fresh_until.astimezone(zone).date())


def _daily_rows(first: date, last: date):
    rows = ObligationRollup.objects.filter(day__gte=first, day__lte=last)
    return rows.values_list(*_SALES_COLUMNS).iterator(chunk_size=5000)


DayCell = tuple[date, str, int | None, SalesCell]


def _day_cells(ranges: list[tuple[date, date]]) -> Iterator[DayCell]:
    rows = chain.from_iterable(_daily_rows(first, last) for first, last in ranges)
    for day, kind, owner_id, *counts, hours_sum, values in rows:
        opened, met_on_time, met_late, breached, cancelled = counts
        yield day, kind, owner_id, SalesCell(
            opened=opened, met_on_time=met_on_time, met_late=met_late, breached=breached,
            cancelled=cancelled, response_hours_sum=hours_sum, response_hundredths=values,
        )  # fmt: skip


def sales_cells(
    period: Period,
    *,
    state: RollupState | None,
    zone: ZoneInfo,
    months: bool = True,
    times_by_rep: bool = True,
):
    """(day, kind, owner id, cell) of the period: rolled-up months (with `months`; the day
    is then the month's first; see `month_cells` for `times_by_rep`), rolled-up days, then
    live ones."""
    live_from = _live_from(state, period, zone)
    if live_from > period.first_day:
        rolled_last = min(live_from - timedelta(days=1), period.last_day)
        whole, edges = split_by_months(period.first_day, rolled_last) if months else ([], [])
        ranges = edges if whole else [(period.first_day, rolled_last)]
        outside: list[tuple[date, date]] = []
        if months:
            more, ranges, outside = complemented(ranges)
            whole = sorted(whole + more)
        yield from month_cells(whole, times_by_rep=times_by_rep)
        yield from _day_cells(ranges)
        for day, kind, owner_id, cell in _day_cells(outside):
            tally = SalesTally()
            tally.add(cell)
            yield day, kind, owner_id, negated(tally)
    if live_from <= period.last_day:
        for (day, kind, owner_id), cell in obligation_cells(
            first=live_from, last=period.last_day, zone=zone
        ).items():
            yield day, kind, owner_id, cell


def funnel_by_day(period: Period, *, state: RollupState | None, zone: ZoneInfo):
    live_from = _live_from(state, period, zone)
    cells: dict[date, FunnelCell] = {}
    if live_from > period.first_day:
        rows = FunnelRollup.objects.filter(
            day__gte=period.first_day, day__lt=min(live_from, period.last_day + timedelta(days=1))
        ).values_list("day", "mqls", "sql_handoffs", "accepted", "rejected", "rejected_by_reason")
        for day, mqls, sqls, accepted, rejected, reasons in rows:
            cell = FunnelCell(mqls=mqls, sql_handoffs=sqls, accepted=accepted, rejected=rejected)
            cell.rejected_by_reason.update(reasons)
            cells[day] = cell
    if live_from <= period.last_day:
        cells.update(funnel_cells(first=live_from, last=period.last_day, zone=zone))
    return cells


# --- grouping ----------------------------------------------------------------------------------


class _Teams:
    """Current team membership: a rep in two teams counts in both; no teams at all in the
    tenant makes one group of everyone, "All sales"."""

    def __init__(self) -> None:
        self.names = dict(Team.objects.order_by("name").values_list("pk", "name"))
        self.of_user: dict[int, list[int]] = defaultdict(list)
        for team_id, user_ids in team_members().items():
            for user_id in user_ids:
                self.of_user[user_id].append(team_id)

    def keys_of(self, owner_id: int | None) -> list[Any]:
        if owner_id is None:
            return [UNASSIGNED]
        if not self.names:
            return [ALL_SALES]
        return self.of_user.get(owner_id) or [NO_TEAM]

    def label(self, key: Any) -> str:
        fixed = {UNASSIGNED: "Unassigned (in the queue)", NO_TEAM: "No team",
                 ALL_SALES: "All sales"}  # fmt: skip
        return fixed.get(key) or self.names.get(key, f"Team #{key}")


def _people(user_ids) -> dict[int, str]:
    ids = [user_id for user_id in user_ids if user_id is not None]
    return dict(get_user_model().objects.filter(pk__in=ids).values_list("pk", "email"))


def _sales_figures(by_kind: dict[str, SalesTally]) -> dict[str, Any]:
    combined = SalesTally()
    for tally in by_kind.values():
        combined.add(tally)
    return {
        **combined.figures(),
        "by_kind": {kind: by_kind.get(kind, SalesTally()).figures() for kind in KINDS},
    }


def _week_bounds(key: date, period: Period) -> tuple[date, date]:
    return max(key, period.first_day), min(key + timedelta(days=6), period.last_day)


# --- the report --------------------------------------------------------------------------------


def compliance_report(
    *,
    period: Period,
    group_by: str | None,
    state: RollupState | None,
    team_id: int | None = None,
    now: datetime | None = None,
) -> dict[str, Any]:
    """Sales and marketing figures of the current tenant over `period` (see module doc)."""
    timezone_name = state.timezone if state is not None else rollup_timezone()
    zone = ZoneInfo(timezone_name)
    now = now or timezone.now()
    teams = _Teams()
    if team_id is not None and team_id not in teams.names:
        raise NoSuchTeam(f"No team {team_id} here.")
    members = {user for user, ids in teams.of_user.items() if team_id in ids}

    totals: dict[str, SalesTally] = defaultdict(SalesTally)
    by_owner: dict[int | None, list[int]] = defaultdict(lambda: [0, 0])  # [opened, breached]
    groups: dict[Any, dict[str, SalesTally]] = defaultdict(lambda: defaultdict(SalesTally))
    # Rep and week groups split the cells: their totals are the sum of the groups, so each
    # cell's response times are counted once (on a year, a million of them), not twice.
    partitioned = group_by in ("rep", "week")
    # Months hold no weeks; only a split by rep or team reads each rep's response times.
    times_by_rep = group_by in ("rep", "team") or team_id is not None
    cells = sales_cells(period, state=state, zone=zone, months=group_by != "week",
                        times_by_rep=times_by_rep)  # fmt: skip
    for day, kind, owner_id, cell in cells:
        if team_id is not None and owner_id not in members:
            continue
        owner = by_owner[owner_id]
        owner[0] += cell.opened
        owner[1] += cell.breached
        if group_by == "rep":
            groups[owner_id][kind].add(cell)
        elif group_by == "week":
            groups[week_of(day)][kind].add(cell)
        else:
            totals[kind].add(cell)
            if group_by == "team":
                for key in teams.keys_of(owner_id):
                    groups[key][kind].add(cell)
    # A month minus its days outside the range can leave a rep (or group) with nothing:
    # a read of the days alone would not show it at all.
    for owner_id in [key for key, (opened, _) in by_owner.items() if not opened]:
        del by_owner[owner_id]
    for key in [key for key, by_kind in groups.items()
                if not any(tally.opened for tally in by_kind.values())]:  # fmt: skip
        del groups[key]
    if partitioned:
        for by_kind in groups.values():
            for kind, tally in by_kind.items():
                totals[kind].add(tally)

    emails = _people(by_owner)
    version = selectors.active_version()
    funnel = funnel_by_day(period, state=state, zone=zone)
    sales = {"on_time_target": ON_TIME_TARGET, **_sales_figures(totals)}
    if group_by is not None:
        sales["groups"] = _sales_groups(group_by, groups, period, emails=emails, teams=teams)
    live_from = _live_from(state, period, zone)
    return {
        "from": period.first_day,
        "to": period.last_day,
        "group_by": group_by,
        "team": {"id": team_id, "name": teams.names[team_id]} if team_id is not None else None,
        "timezone": timezone_name,
        "version": {"id": version.pk, "number": version.number, "name": version.name}
        if version
        else None,
        "sales": sales,
        "breaches_by_rep": [
            {
                "owner": {"id": owner_id, "email": emails.get(owner_id, f"#{owner_id}")}
                if owner_id is not None
                else None,
                "label": emails.get(owner_id, f"#{owner_id}")
                if owner_id is not None
                else teams.label(UNASSIGNED),
                "breaches": breached,
                "opened": opened,
            }
            for owner_id, (opened, breached) in sorted(
                by_owner.items(),
                key=lambda item: (-item[1][1], item[0] is None, emails.get(item[0], "")),
            )
        ],
        "marketing": _marketing(funnel, period, version=version, by_week=group_by == "week"),
        "rolled_up_through": (
            live_from - timedelta(days=1) if live_from > period.first_day else None
        ),
        "generated_at": now,
    }


def _sales_groups(group_by, groups, period: Period, *, emails, teams: _Teams) -> list[dict]:
    rows = []
    if group_by == "week":
        # Every week of the period, quiet ones too: a chart's x axis has no holes.
        key = week_of(period.first_day)
        while key <= period.last_day:
            start, end = _week_bounds(key, period)
            iso = key.isocalendar()
            rows.append(
                {
                    "key": key.isoformat(),
                    "label": f"{iso.year}-W{iso.week:02d}",
                    "start": start,
                    "end": end,
                    **_sales_figures(groups.get(key, {})),
                }
            )
            key += timedelta(days=7)
        return rows
    for key, by_kind in groups.items():
        if group_by == "rep":
            label = emails.get(key, f"#{key}") if key is not None else teams.label(UNASSIGNED)
            owner = {"id": key, "email": label} if key is not None else None
            rows.append({"key": key, "label": label, "owner": owner, **_sales_figures(by_kind)})
        else:
            rows.append({"key": key, "label": teams.label(key), **_sales_figures(by_kind)})
    rows.sort(key=lambda row: (row["key"] in (UNASSIGNED, None), row["label"].lower()))
    return rows


def _targets(version, start: date, end: date) -> dict[str, Any] | None:
    if version is None:
        return None
    return {
        "mqls": round(prorated(version.monthly_mql_target, start, end), 2),
        "sql_handoffs": round(prorated(version.monthly_sql_target, start, end), 2),
        "monthly_mqls": version.monthly_mql_target,
        "monthly_sql_handoffs": version.monthly_sql_target,
        "min_acceptance_rate": float(version.min_acceptance_rate),
    }


def _marketing(funnel: dict[date, FunnelCell], period: Period, *, version, by_week: bool):
    total = FunnelCell()
    weeks: dict[date, FunnelCell] = defaultdict(FunnelCell)
    for day, cell in funnel.items():
        total.merge(cell)
        weeks[week_of(day)].merge(cell)
    labels = dict(RejectionReason.objects.values_list("code", "label"))
    rejected = total.rejected
    targets = _targets(version, period.first_day, period.last_day)
    result = {
        **total.figures(),
        "targets": targets,
        "mqls_vs_target": rate(total.mqls, targets["mqls"]) if targets else None,
        "sql_handoffs_vs_target": rate(total.sql_handoffs, targets["sql_handoffs"])
        if targets
        else None,
        "rejection_reasons": [
            {
                "code": code,
                "label": labels.get(code) or code.replace("_", " ").capitalize() or "No reason",
                "count": count,
                "share": rate(count, rejected),
            }
            for code, count in sorted(
                total.rejected_by_reason.items(), key=lambda item: (-item[1], item[0])
            )
        ],
    }
    if by_week:
        result["groups"] = []
        week = week_of(period.first_day)
        while week <= period.last_day:
            start, end = _week_bounds(week, period)
            iso = week.isocalendar()
            result["groups"].append({
                "key": week.isoformat(), "label": f"{iso.year}-W{iso.week:02d}",
                "start": start, "end": end, **weeks[week].figures(),
                "targets": _targets(version, start, end),
            })  # fmt: skip
            week += timedelta(days=7)
    return result
