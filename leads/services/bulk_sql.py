"""The one-statement bulk upsert on PostgreSQL.

Merge rules in SQL, matching `upsert._merge`: a non-empty incoming value fills or updates,
an empty one never blanks; custom fields are merged key by key. Rows whose values would not
change are left alone (no write, no history), and are not returned.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import NamedTuple

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


# The rows travel as one JSON document: PostgreSQL parses it far faster than a VALUES list
# of twenty thousand literals, and the client sends one parameter instead of mogrifying many.
_RECORD = (
    "email text, first_name text, last_name text, company text, title text, phone text, "
    "industry text, company_size integer, country text, campaign_id bigint, custom_fields jsonb"
)
_RECORD_COLUMNS = ["email", *_TEXT, "company_size", "country", "campaign_id", "custom_fields"]


RETURNED = ["id", "email", "first_name", "last_name", "company", "stage", "score",
            "campaign_id", "persona_id"]  # fmt: skip


class WrittenLead(NamedTuple):
    """What the statement returns of each row it inserted or changed: enough for events."""

    id: int
    email: str
    first_name: str
    last_name: str
    company: str
    stage: str
    score: int
    campaign: int | None
    persona: int | None
    inserted: bool

    def payload(self) -> dict:
        """The shape of `leads.payloads.lead_payload` for a row with no owner yet."""
        body = dict(zip(_PAYLOAD_FIELDS, self, strict=False))  # all but `inserted`
        body["owner"] = None
        return body


_PAYLOAD_FIELDS = WrittenLead._fields[:-1]


def bulk_upsert_rows(
    *, tenant_id: int, leads: list[CleanLead], now: datetime | None = None
) -> list[WrittenLead]:
    """Upsert in one statement; return the rows it inserted or changed (unchanged ones are
    left alone and not returned). Inserted rows are created at `now` (default: now)."""
    table = Lead._meta.db_table
    records = []
    for clean in leads:
        fields = clean.fields
        record = {name: fields.get(name, "") for name in _TEXT}
        record.update(
            email=clean.email,
            company_size=fields.get("company_size"),
            country=fields.get("country", ""),
            campaign_id=fields.get("campaign"),
            custom_fields=fields.get("custom_fields", {}),
        )
        records.append(record)
    assignments, changed = _merge_sql(table)
    selected = ", ".join(f"r.{name}" for name in _RECORD_COLUMNS)
    sql = (
        f"INSERT INTO {table} ({', '.join(_COLUMNS)}) "
        f"SELECT %s, {selected}, %s, %s, 0, 0, 0, 0.0, '{{}}'::jsonb, false, %s, %s "
        f"FROM jsonb_to_recordset(%s::jsonb) AS r({_RECORD}) "
        f"ON CONFLICT (tenant_id, email) DO UPDATE SET {assignments} WHERE {changed} "
        f"RETURNING {', '.join(RETURNED)}, (xmax = 0) AS inserted"
    )
    now = now or timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(sql, [tenant_id, Stage.LEAD, now, now, now, json.dumps(records)])
        return [WrittenLead(*row) for row in cursor.fetchall()]
