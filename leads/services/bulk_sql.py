"""The one-statement bulk upsert, on PostgreSQL and on SQLite.

Merge rules in SQL, matching `upsert._merge`: a non-empty incoming value fills or updates,
an empty one never blanks; custom fields are merged key by key. Rows whose values would not
change are left alone (no write, no history), and are not returned.

Both databases run the same statement (INSERT … SELECT … ON CONFLICT DO UPDATE … WHERE …
RETURNING); `_Dialect` holds the few pieces each spells its own way: how the rows are read
from the one JSON parameter, how JSON objects merge, how rows compare with NULLs, and how a
returned row says it was inserted.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
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
# The fields of each incoming row, in the order of `_COLUMNS`.
_RECORD_COLUMNS = ["email", *_TEXT, "company_size", "country", "campaign_id", "custom_fields"]


@dataclass(frozen=True)
class _Dialect:
    # The incoming rows as a table `r` whose columns are `_RECORD_COLUMNS`, from %s (JSON).
    rows: str
    # The stored custom fields with the incoming ones laid over them ({old} and {new}).
    merged_custom: str
    # Text of the stored custom fields as `merged_custom` writes it, for the comparison.
    stored_custom: str
    distinct: str
    empty_object: str
    # A column of RETURNING: true when the row was inserted by this statement.
    inserted: str


# The rows travel as one JSON document: PostgreSQL parses it far faster than a VALUES list
# of twenty thousand literals, and the client sends one parameter instead of mogrifying many.
_POSTGRESQL = _Dialect(
    rows=(
        "jsonb_to_recordset(%s::jsonb) AS r(email text, first_name text, last_name text, "
        "company text, title text, phone text, industry text, company_size integer, "
        "country text, campaign_id bigint, custom_fields jsonb)"
    ),
    merged_custom="{old} || {new}",
    stored_custom="{old}",
    distinct="IS DISTINCT FROM",
    empty_object="'{}'::jsonb",
    # A row version no transaction has deleted: only an inserted row has none.
    inserted="(xmax = 0)",
)
# SQLite reads the same document with json_each. Its json_patch merges key by key as `||`
# does on PostgreSQL (the incoming object carries no nulls, which json_patch would take as
# "remove"), and writes compact JSON: the stored text is compacted too before comparing.
_SQLITE = _Dialect(
    rows=(
        "(SELECT "
        + ", ".join(f"json_extract(value, '$.{name}') AS {name}" for name in _RECORD_COLUMNS)
        + " FROM json_each(%s)) AS r"
    ),
    merged_custom="json_patch({old}, {new})",
    stored_custom="json({old})",
    distinct="IS NOT",
    empty_object="'{}'",
    # SQLite keeps no row versions. The statement writes one instant (a fresh one, and
    # writers take turns on the file) as `updated_at` of every row and `created_at` of the
    # rows it inserts; an updated row keeps its older `created_at`.
    inserted="(created_at = updated_at)",
)
_DIALECTS = {"postgresql": _POSTGRESQL, "sqlite": _SQLITE}


def _merge_sql(table: str, dialect: _Dialect) -> tuple[str, str]:
    assignments = []
    comparisons_old = []
    comparisons_new = []
    # Equivalent mutants on this line and the ones marked below: an upper-cased column name
    # is the same unquoted SQL identifier.
    for name in [*_TEXT, "country"]:  # pragma: no mutate
        new = f"COALESCE(NULLIF(excluded.{name}, ''), {table}.{name})"
        assignments.append(f"{name} = {new}")
        comparisons_old.append(f"{table}.{name}")
        comparisons_new.append(new)
    for name in ("company_size", "campaign_id"):  # pragma: no mutate
        new = f"COALESCE(excluded.{name}, {table}.{name})"
        assignments.append(f"{name} = {new}")
        comparisons_old.append(f"{table}.{name}")
        comparisons_new.append(new)
    excluded = "excluded.custom_fields"  # pragma: no mutate
    custom = dialect.merged_custom.format(old=f"{table}.custom_fields", new=excluded)
    assignments.append(f"custom_fields = {custom}")
    comparisons_old.append(dialect.stored_custom.format(old=f"{table}.custom_fields"))
    comparisons_new.append(custom)
    assignments.append("updated_at = excluded.updated_at")  # pragma: no mutate
    changed = f"({', '.join(comparisons_old)}) {dialect.distinct} ({', '.join(comparisons_new)})"
    return ", ".join(assignments), changed


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
        body = self._asdict()
        del body["inserted"]
        body["owner"] = None
        return body


def _records(leads: list[CleanLead]) -> str:
    records = []
    for clean in leads:
        fields = clean.fields
        record = {name: fields.get(name, "") for name in _TEXT}
        custom = fields.get("custom_fields") or {}
        record.update(
            email=clean.email,
            company_size=fields.get("company_size"),
            country=fields.get("country", ""),
            campaign_id=fields.get("campaign"),
            # A null value never blanks a custom field: it is left out of the merge.
            custom_fields={key: value for key, value in custom.items() if value is not None},
        )
        records.append(record)
    return json.dumps(records)


def bulk_upsert_rows(
    *, tenant_id: int, leads: list[CleanLead], now: datetime | None = None
) -> list[WrittenLead]:
    """Upsert in one statement; return the rows it inserted or changed (unchanged ones are
    left alone and not returned). Inserted rows are created at `now` (default: now)."""
    dialect = _DIALECTS[connection.vendor]
    table = Lead._meta.db_table
    assignments, changed = _merge_sql(table, dialect)
    selected = ", ".join(f"r.{name}" for name in _RECORD_COLUMNS)
    # `WHERE true`: without a WHERE, SQLite would read ON CONFLICT as the join's ON.
    sql = (
        f"INSERT INTO {table} ({', '.join(_COLUMNS)}) "
        f"SELECT %s, {selected}, %s, %s, 0, 0, 0, 0.0, {dialect.empty_object}, false, %s, %s "
        f"FROM {dialect.rows} WHERE true "
        f"ON CONFLICT (tenant_id, email) DO UPDATE SET {assignments} WHERE {changed} "
        f"RETURNING {', '.join(RETURNED)}, {dialect.inserted} AS inserted"
    )
    at = connection.ops.adapt_datetimefield_value(now or timezone.now())
    params = [tenant_id, Stage.LEAD, at, at, at, _records(leads)]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [WrittenLead(*row[:-1], bool(row[-1])) for row in cursor.fetchall()]
