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
from django.db.backends.signals import connection_created
from django.dispatch import receiver

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


def _apply_to_connection(conn: Any) -> None:
    if conn.vendor != "postgresql":
        return
    tenant_id = _tenant_id.get()
    with conn.cursor() as cursor:
        if tenant_id is None and not _cross_tenant.get():
            # Outside every scope the connection falls back to its own default: nothing
            # visible in deployment.
            cursor.execute("RESET app.tenant_id; RESET app.cross_tenant")
            return
        cursor.execute(
            "SELECT set_config('app.tenant_id', %s, false), "
            "set_config('app.cross_tenant', %s, false)",
            ["" if tenant_id is None else str(tenant_id), "on" if _cross_tenant.get() else "off"],
        )


@receiver(connection_created)
def _scope_new_connection(sender: Any, connection: Any, **kwargs: Any) -> None:
    # A connection opened (or reopened) inside a scope must carry it from its first query.
    if _tenant_id.get() is not None or _cross_tenant.get():
        _apply_to_connection(connection)


@contextmanager
def _scoped(tenant_id: int | None, cross_tenant: bool) -> Iterator[None]:
    tenant_token = _tenant_id.set(tenant_id)
    cross_token = _cross_tenant.set(cross_tenant)
    try:
        _apply_to_connection(connection)
        yield
    finally:
        _tenant_id.reset(tenant_token)
        _cross_tenant.reset(cross_token)
        if connection.connection is not None and not connection.needs_rollback:
            _apply_to_connection(connection)


def tenant_scope(tenant: Any) -> Any:
    """Run the block as `tenant` (a Tenant or its id): queries see that tenant's rows only."""
    tenant_id = tenant if isinstance(tenant, int) else tenant.pk
    return _scoped(tenant_id, cross_tenant=False)


def cross_tenant_scope() -> Any:
    """Run the block across all tenants: for authentication, sweeps and operators only."""
    return _scoped(_tenant_id.get(), cross_tenant=True)
