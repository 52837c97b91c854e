"""Which tenant scope a test's code runs in, on PostgreSQL where row-level security binds.

Connections start as deployed ones do: outside every scope, tenant tables show no rows.

- A test body arranges and asserts across tenants like an operator: `tests/conftest.py` runs
  every database test's body inside `cross_tenant_scope()`, and factories write their rows in
  one too. That is the only place tests see more than deployment would.
- The code under test starts from the deployed defaults wherever deployment enters it: each
  request of the test client, each task run eagerly, each management command; and direct
  calls of cross-tenant entry points (sweeps) go through `as_deployed()`. Code that forgets
  to enter its scope therefore sees no rows in tests, as it would in production.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from functools import wraps
from typing import Any

from django.db import connection

from smarketing.tenancy.scope import _scoped, cross_tenant_scope

__all__ = ["across_tenants", "as_deployed", "install_deployed_entry_points"]


def across_tenants() -> AbstractContextManager[None]:
    """Arrange or assert across tenants (what an operator sees)."""
    return cross_tenant_scope()


@contextmanager
def as_deployed() -> Iterator[None]:
    """Run the block with a deployed connection's defaults: no tenant, not cross-tenant.

    Switching the connection to and from them is the test's plumbing, not the work under
    test, so it stays out of the query counts that tests assert.
    """
    scope = _scoped(None, cross_tenant=False)
    with _unlogged():
        scope.__enter__()
    try:
        yield
    finally:
        with _unlogged():
            scope.__exit__(None, None, None)


@contextmanager
def _unlogged() -> Iterator[None]:
    forced = connection.force_debug_cursor
    connection.force_debug_cursor = False
    try:
        yield
    finally:
        connection.force_debug_cursor = forced


def deployed(function: Callable[..., Any]) -> Callable[..., Any]:
    """`function` always starts from the deployed defaults, whoever calls it."""

    @wraps(function)
    def run(*args: Any, **kwargs: Any) -> Any:
        with as_deployed():
            return function(*args, **kwargs)

    return run


_installed = False


def install_deployed_entry_points() -> None:
    """Requests, eager tasks and management commands start from the deployed defaults."""
    global _installed
    if _installed:
        return
    _installed = True

    from celery.signals import task_postrun, task_prerun
    from django.core.management.base import BaseCommand
    from django.test.client import ClientHandler

    ClientHandler.__call__ = deployed(ClientHandler.__call__)
    BaseCommand.execute = deployed(BaseCommand.execute)

    running: dict[str, AbstractContextManager[None]] = {}

    @task_prerun.connect(weak=False)
    def _enter(task_id: str, **kwargs: Any) -> None:
        scope = as_deployed()
        scope.__enter__()
        running[task_id] = scope

    @task_postrun.connect(weak=False)
    def _leave(task_id: str, **kwargs: Any) -> None:
        scope = running.pop(task_id, None)
        if scope is not None:
            scope.__exit__(None, None, None)
