"""The one-statement bulk upsert on PostgreSQL.

Merge rules in SQL, matching `upsert._merge`: a non-empty incoming value fills or updates,
an empty one never blanks; custom fields are merged key by key. Rows whose values would not
change are left alone (no write, no history), and are not returned.
"""

from __future__ import annotations

import json

from django.db import connection
from django.utils import timezone

from leads.input import TEXT_FIELDS, CleanLead
from leads.models import Lead, Stage

_TEXT = list(TEXT_FIELDS)
_COLUMNS = [
    "tenant_id", "email", *_TEXT, "company_size", "country", "campaign_id", "custom_fields",
    "stage", "stage_changed_at", "score", "fit_score", "engagement_score", "engagement_raw",
    "score_breakdown", "is_cold", "created_at", "updated_at",
]  # fmt: skip


def _merge_sql(table: str) -> tuple[str, str]:
    assignments = []
    comparisons_old = []
    comparisons_new = []
    for name in [*_TEXT, "country"]:
        new = f"COALESCE(NULLIF(EXCLUDED.{name}, ''), {table}.{name})"
        assignments.append(f"{name} = {new}")
        comparisons_old.append(f"{table}.{name}")
        comparisons_new.append(new)
    for name in ("company_size", "campaign_id"):
        new = f"COALESCE(EXCLUDED.{name}, {table}.{name})"
        assignments.append(f"{name} = {new}")
        comparisons_old.append(f"{table}.{name}")
        comparisons_new.append(new)
    custom = f"{table}.custom_fields || jsonb_strip_nulls(EXCLUDED.custom_fields)"
    assignments.append(f"custom_fields = {custom}")
    comparisons_old.append(f"{table}.custom_fields")
    comparisons_new.append(custom)
    assignments.append("updated_at = EXCLUDED.updated_at")
    changed = f"({', '.join(comparisons_old)}) IS DISTINCT FROM ({', '.join(comparisons_new)})"
    return ", ".join(assignments), changed


def bulk_upsert_rows(*, tenant_id: int, leads: list[CleanLead]) -> dict[str, tuple[int, bool]]:
    """Upsert in one statement; return {email: (id, inserted)} for rows inserted or changed."""
    table = Lead._meta.db_table
    now = timezone.now()
    rows = []
    for clean in leads:
        fields = clean.fields
        rows.append((
            tenant_id, clean.email, *(fields.get(name, "") for name in _TEXT),
            fields.get("company_size"), fields.get("country", ""), fields.get("campaign"),
            json.dumps(fields.get("custom_fields", {})), Stage.LEAD, now, 0, 0, 0, 0.0, "{}",
            False, now, now,
        ))  # fmt: skip
    assignments, changed = _merge_sql(table)
    row_sql = "(" + ", ".join(["%s"] * len(_COLUMNS)) + ")"
    sql = (
        f"INSERT INTO {table} ({', '.join(_COLUMNS)}) VALUES {', '.join([row_sql] * len(rows))} "
        f"ON CONFLICT (tenant_id, email) DO UPDATE SET {assignments} WHERE {changed} "
        "RETURNING id, email, (xmax = 0) AS inserted"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [value for row in rows for value in row])
        written = cursor.fetchall()
    return {email: (lead_id, inserted) for lead_id, email, inserted in written}
