"""The tenant scope of the current request or task.

Two walls keep tenants apart. In Python, `TenantManager` refuses to query without a scope and
filters by it. In PostgreSQL, row-level security policies read `app.tenant_id` from the
connection, so even a query that bypassed the manager sees only the scoped tenant's rows.
Work that spans tenants (authentication, sweeps, admin) says so with `cross_tenant_scope()`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.db import connection

_tenant_id: ContextVar[int | None] = ContextVar("smarketing_tenant_id", default=None)
_cross_tenant: ContextVar[bool] = ContextVar("smarketing_cross_tenant", default=False)


class TenantScopeError(RuntimeError):
    """A tenant-scoped model was queried outside a tenant scope."""


def current_tenant_id() -> int | None:
    return _tenant_id.get()


def require_tenant_id() -> int:
    tenant_id = _tenant_id.get()
    if tenant_id is None:
        raise TenantScopeError(
            "No tenant scope: wrap the work in tenant_scope(tenant), "
            "or use Model.all_tenants for deliberate cross-tenant access."
        )
    return tenant_id


# What a session holds outside every scope: the settings unset (nothing visible).
UNSCOPED: tuple[int | None, bool] = (None, False)


def current_scope() -> tuple[int | None, bool]:
    """(tenant id, cross-tenant) of the work running now: what the session must hold."""
    return _tenant_id.get(), _cross_tenant.get()


def scope_sql(state: tuple[int | None, bool]) -> str:
    """The statement that gives a PostgreSQL session the settings of `state` (literal, so it
    can go in front of another statement: ids are integers, nothing else is interpolated)."""
    if state == UNSCOPED:
        # Outside every scope the connection falls back to its own default: nothing
        # visible in deployment.
        return "RESET app.tenant_id; RESET app.cross_tenant"
    tenant_id, cross_tenant = state
    tenant = "" if tenant_id is None else str(int(tenant_id))
    cross = "on" if cross_tenant else "off"
    return (
        f"SELECT set_config('app.tenant_id', '{tenant}', false), "
        f"set_config('app.cross_tenant', '{cross}', false)"
    )


def apply_scope_now(conn: Any = connection) -> None:
    """Give the session the current scope's settings now, for work that sends statements
    past Django's cursors (a raw driver connection). Django's own statements get them
    on their way (`smarketing.tenancy.postgresql`)."""
    apply = getattr(conn, "apply_scope", None)
    if apply is not None:
        conn.ensure_connection()
        apply()


@contextmanager
def _scoped(tenant_id: int | None, cross_tenant: bool) -> Iterator[None]:
    # Only the context changes here; the session follows before its next statement.
    tenant_token = _tenant_id.set(tenant_id)
    cross_token = _cross_tenant.set(cross_tenant)
    try:
        yield
    finally:
        _tenant_id.reset(tenant_token)
        _cross_tenant.reset(cross_token)


def tenant_scope(tenant: Any) -> Any:
    """Run the block as `tenant` (a Tenant or its id): queries see that tenant's rows only."""
    tenant_id = tenant if isinstance(tenant, int) else tenant.pk
    return _scoped(tenant_id, cross_tenant=False)


def cross_tenant_scope() -> Any:
    """Run the block across all tenants: for authentication, sweeps and operators only."""
    return _scoped(_tenant_id.get(), cross_tenant=True)
