"""The core's own tile: the deployment's health, for admins (registered in `HomeConfig`)."""

from __future__ import annotations

from smarketing.health import health_checks
from smarketing.home.tiles import Figure, HomeContext, TileData, register_tile
from smarketing.tenancy.roles import Role

PARTS = (("database", "Database"), ("broker", "Broker"), ("workers", "Workers"))


def health_tile(visit: HomeContext) -> TileData:
    """Up or down per part. Worker names and error texts stay on /healthz, for staff: they
    describe the inside of the deployment, which a tenant's admin need not see."""
    checks = health_checks()
    figures = [
        Figure(label, "up" if checks[key]["ok"] else "down",
               tone="ok" if checks[key]["ok"] else "alert")
        for key, label in PARTS
    ]  # fmt: skip
    workers = checks["workers"]
    healthy = all(check["ok"] for check in checks.values())
    return TileData(
        title="Workers' health",
        url="/healthz",
        link_label="Health check",
        figures=figures,
        note="" if healthy else (
            "Background work is stalled: SLA sweeps, webhooks and e-mails wait until the "
            "workers are back." if not workers["ok"] else "A part of the deployment is down."
        ),
    )  # fmt: skip


def register() -> None:
    register_tile(
        "health", roles={Role.ADMIN}, order=90, build=health_tile, lazy=True,
        title="Workers' health",
    )  # fmt: skip
