"""The webhooks' tile on the admins' home (registered in `WebhooksConfig.ready`)."""

from __future__ import annotations

from smarketing.home.tiles import ROWS, Figure, HomeContext, Row, TileData, register_tile
from smarketing.tenancy.roles import Role
from smarketing.webhooks.selectors import endpoints_failing


def failing_endpoints_tile(visit: HomeContext) -> TileData:
    """Two queries: the count and the first rows."""
    failing = endpoints_failing(now=visit.now)
    count = failing.count()
    url = visit.page("settings/webhooks/", failing="1")
    return TileData(
        title="Failing webhook endpoints",
        url=url,
        link_label="Failing endpoints",
        figures=[Figure("Failing in the last 24 h", count, url, "alert" if count else "ok")],
        rows=[
            Row(
                endpoint.url,
                visit.page(f"settings/webhooks/{endpoint.pk}/"),
                detail=f"{endpoint.failed} failed deliver{'y' if endpoint.failed == 1 else 'ies'}"
                + ("" if endpoint.enabled else " · disabled"),
                when=endpoint.last_failure_at,
                when_label="last failure",
            )
            for endpoint in failing[:ROWS]
        ],
        empty="Every endpoint delivers.",
    )


def register() -> None:
    register_tile("webhooks-failing", roles={Role.ADMIN}, order=95, build=failing_endpoints_tile)
