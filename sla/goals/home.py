"""The goals' tile on the home of managers and admins: this month's shared goals against
their pace (registered in `SlaConfig.ready`). Four queries whatever the number of goals:
the scoreboard's own."""

from __future__ import annotations

from sla.goals.selectors import goal_scoreboard
from sla.goals.status import GoalStatus
from smarketing.home.tiles import ROWS, Figure, HomeContext, Row, TileData, register_tile
from smarketing.periods import current_month
from smarketing.tenancy.roles import LEADERSHIP_ROLES

_TONE = {GoalStatus.MISSED: "alert", GoalStatus.AT_RISK: "warn", GoalStatus.MET: "ok",
         GoalStatus.ON_TRACK: "ok"}  # fmt: skip
_WORST_FIRST = [GoalStatus.MISSED, GoalStatus.AT_RISK, GoalStatus.ON_TRACK, GoalStatus.MET]


def _figure(status: GoalStatus, count: int, url: str) -> Figure:
    label = status.replace("_", " ").capitalize()
    return Figure(label, count, url, _TONE[status] if count else "")


def goals_tile(visit: HomeContext) -> TileData:
    period = current_month(visit.tenant.timezone or "UTC", visit.now)
    board = goal_scoreboard(tenant=visit.tenant, period=period, now=visit.now)
    url = visit.page("goals/", period=period.label)
    counts = dict.fromkeys(_WORST_FIRST, 0)
    for score in board.scores:
        counts[score.status] += 1
    ordered = sorted(board.scores, key=lambda score: _WORST_FIRST.index(score.status))
    return TileData(
        title=f"Goals · {period.first_day:%B %Y}",
        url=url,
        link_label="This month's goals",
        figures=[_figure(status, counts[status], url) for status in _WORST_FIRST],
        rows=[
            Row(
                text=score.goal.get_metric_display(),
                url=url,
                detail=f"{score.actual if score.actual is not None else 'n/a'} of "
                f"{score.goal.target}, {score.expected_by_now} expected by now",
                tone=_TONE[score.status] if score.status != GoalStatus.ON_TRACK else "",
            )
            for score in ordered[:ROWS]
        ],
        empty="No goal is set for this month yet.",
    )


def register() -> None:
    register_tile("goals", roles=LEADERSHIP_ROLES, order=30, build=goals_tile)
