"""Searching the whole database and the media folder for a person's values.

Generic on purpose: every text and JSON column of every model the app registry knows (and,
on PostgreSQL, of every table in the schema, models or not) is searched, so a table added
later is covered without touching the erasure tests.
"""

from __future__ import annotations

import json
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.db import connection, models

from smarketing.tenancy.scope import cross_tenant_scope

TEXT_FIELDS = (models.CharField, models.TextField, models.JSONField, models.FileField)
PG_TEXT_TYPES = ("text", "character varying", "character", "json", "jsonb")


def _as_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, default=str)


def model_hits(needles: list[str]) -> dict[str, list[str]]:
    """{"app.Model.field": [needles found]} over every text and JSON field of every model."""
    wanted = [n.casefold() for n in needles]
    hits: dict[str, list[str]] = {}
    with cross_tenant_scope():
        for model in apps.get_models(include_auto_created=True):
            fields = [f for f in model._meta.concrete_fields if isinstance(f, TEXT_FIELDS)]
            if not fields:
                continue
            rows = model._base_manager.values_list(*[f.attname for f in fields])
            for row in rows:
                for field, value in zip(fields, row, strict=True):
                    text = _as_text(value).casefold()
                    found = [n for n in wanted if n in text]
                    if found:
                        key = f"{model._meta.label}.{field.name}"
                        hits.setdefault(key, [])
                        hits[key] += [n for n in found if n not in hits[key]]
    return hits


def table_hits(needles: list[str]) -> dict[str, list[str]]:
    """The same search in SQL over every text/JSON column of every table (PostgreSQL)."""
    if connection.vendor != "postgresql":
        return {}
    hits: dict[str, list[str]] = {}
    with cross_tenant_scope(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name, column_name FROM information_schema.columns "
            "WHERE table_schema = current_schema() AND data_type = ANY(%s) "
            "ORDER BY table_name, column_name",
            [list(PG_TEXT_TYPES)],
        )
        columns = cursor.fetchall()
        assert columns, "no text column found: the search itself is broken"
        for table, column in columns:
            for needle in needles:
                cursor.execute(
                    f'SELECT EXISTS (SELECT 1 FROM "{table}" WHERE "{column}"::text ILIKE %s)',
                    [f"%{needle}%"],
                )
                if cursor.fetchone()[0]:
                    hits.setdefault(f"{table}.{column}", []).append(needle)
    return hits


def media_hits(needles: list[str]) -> dict[str, list[str]]:
    """Files under MEDIA_ROOT that hold any of the values."""
    hits: dict[str, list[str]] = {}
    root = Path(settings.MEDIA_ROOT)
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        text = path.read_bytes().decode("utf-8", errors="replace").casefold()
        found = [n for n in needles if n.casefold() in text]
        if found:
            hits[str(path.relative_to(root))] = found
    return hits
