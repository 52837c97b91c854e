"""Database idioms shared by the apps."""

from __future__ import annotations

from typing import Any

from django.db import connection, models


def insert_if_absent(model: type[models.Model], values: dict[str, Any]) -> int | None:
    """Insert one row unless a unique constraint holds its key already; the new row's id,
    or None. One statement (`INSERT … ON CONFLICT DO NOTHING RETURNING id`): of writers
    racing on one key, the first inserts and the others, once it commits, get None, so
    the caller that got an id is the one to act on it (announce it, say)."""
    fields = [model._meta.get_field(name) for name in values]
    params = [
        field.get_db_prep_save(value, connection)
        for field, value in zip(fields, values.values(), strict=True)
    ]
    quote = connection.ops.quote_name
    sql = (
        f"INSERT INTO {quote(model._meta.db_table)} "
        f"({', '.join(quote(field.column) for field in fields)}) "
        f"VALUES ({', '.join(['%s'] * len(fields))}) ON CONFLICT DO NOTHING RETURNING id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    return row[0] if row else None


def json_as_stored(value: Any) -> Any:
    """A JSON document as a read of a JSON column would give it back: on PostgreSQL, jsonb
    keeps an object's keys shorter first, then bytewise; elsewhere the text keeps them as
    written. For answering from an instance just written rather than reading it again."""
    if connection.vendor != "postgresql":
        return value
    return _jsonb_order(value)


def _jsonb_order(value: Any) -> Any:
    if isinstance(value, dict):
        ordered = sorted(value, key=lambda key: (len(key.encode()), key.encode()))
        return {key: _jsonb_order(value[key]) for key in ordered}
    if isinstance(value, list):
        return [_jsonb_order(item) for item in value]
    return value


def planner_statistics_refresh() -> None:
    """On SQLite, gather the statistics its query planner chooses indexes by.

    Without them SQLite guesses, and every tenant table's plain `tenant_id` index looks as
    good as any other: a read of a batch's leads' match keys then scans all of the tenant's
    keys. What the statistics say (one tenant holds most rows; a lead has three keys) stays
    true as the tables grow, so gathering them when the demo starts is enough. The limit
    samples large tables instead of reading them whole. PostgreSQL gathers its own
    (autovacuum).
    """
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA analysis_limit=1000")
        cursor.execute("ANALYZE")
