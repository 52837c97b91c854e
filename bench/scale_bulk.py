"""Bulk loading for the scale benchmark: rows copied set-based from a template row, and tables
loaded without their secondary indexes and constraints, which are re-created after."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from contextlib import contextmanager

from scale_log import log


def copy_rows(model, *, template: int, source: str, overrides: dict[str, str],
              order: str = "", params: dict | None = None) -> int:  # fmt: skip
    """INSERT … SELECT of one row per row of `source`, each a copy of the row `template` of
    the same table with `overrides` (column: SQL expression): every column the app adds
    later gets a valid value without this file knowing of it."""
    from django.db import connection

    table = model._meta.db_table
    columns = [f.column for f in model._meta.concrete_fields if f.column != "id"]
    values = ", ".join(overrides.get(column, f"t.{column}") for column in columns)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({', '.join(columns)}) SELECT {values} "
            f"FROM {table} t CROSS JOIN {source} WHERE t.id = %(template)s {order}",
            {**(params or {}), "template": template},
        )
        return cursor.rowcount


def _canonical(definitions: list[str]) -> list[str]:
    """Definitions with casts and grouping left out: equal when PostgreSQL means the same."""
    strip = re.compile(r"::(character varying|text)(\[\])?|[()\s]")
    return sorted(strip.sub("", definition) for definition in definitions)


@contextmanager
def bulk_load(*tables: str) -> Iterator[None]:
    """Load `tables` without their secondary indexes and constraints (the primary keys stay),
    then re-create each from its own definition, as a bulk load does: one sort per index
    instead of millions of insertions at random places of ten B-trees, and one join per
    foreign key instead of a trigger per row. The schema after is the migrated one (checked).
    """
    from django.db import connection

    def definitions(cursor) -> list[str]:
        cursor.execute(
            "SELECT pg_get_indexdef(indexrelid) FROM pg_index WHERE indrelid = ANY(%s::regclass[]) "
            "UNION ALL SELECT conname || ' ' || pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = ANY(%s::regclass[]) ORDER BY 1",
            [list(tables), list(tables)],
        )
        return [row[0] for row in cursor.fetchall()]

    saved = []
    with connection.cursor() as cursor:
        # Deferred foreign key checks still pending (inside a transaction) block ALTER TABLE.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        before = definitions(cursor)
        for table in tables:
            cursor.execute(
                "SELECT conname, pg_get_constraintdef(oid), contype FROM pg_constraint "
                "WHERE conrelid = %s::regclass AND contype <> 'p'",
                [table],
            )
            constraints = cursor.fetchall()
            cursor.execute(
                "SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid) FROM pg_index i "
                "WHERE indrelid = %s::regclass AND NOT indisprimary AND NOT EXISTS "
                "(SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid "
                " AND c.conrelid = i.indrelid)",
                [table],
            )
            indexes = cursor.fetchall()
            saved.append((table, constraints, indexes))
            for name, _definition, _kind in constraints:
                cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
            for name, _definition in indexes:
                cursor.execute(f"DROP INDEX {name}")
    yield
    with connection.cursor() as cursor:
        cursor.execute("SET maintenance_work_mem = '256MB'")
        for table, constraints, indexes in saved:
            started = time.perf_counter()
            for _name, definition in indexes:
                cursor.execute(definition)
            # Unique and check constraints first; foreign keys last (they may need them).
            for name, definition, _kind in sorted(constraints, key=lambda c: c[2] == "f"):
                cursor.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
            log(f"{table}: indexes and constraints back in {time.perf_counter() - started:.0f} s")
        cursor.execute("RESET maintenance_work_mem")
        after = definitions(cursor)
        # A re-created index deparses its array literal with the casts placed differently.
        assert _canonical(after) == _canonical(before), (
            f"the schema after the load differs: {set(before) ^ set(after)}"
        )
