"""Set-based generation of leads and obligations on PostgreSQL, for benchmarks and plan tests.

Rows are made with `generate_series` in a few statements, so a million obligations take
seconds, not an hour of ORM saves. Leads are copies of a template lead made by the ORM, so
every column the app adds later gets a valid value without this file knowing of it.
"""

from __future__ import annotations

from datetime import datetime

from django.db import connection

from leads.models import Lead


def copy_leads(*, template: Lead, count: int, prefix: str) -> None:
    """`count` copies of `template` with e-mails `<prefix><n>@bench.example` (n = 1..count)."""
    columns = [f.column for f in Lead._meta.concrete_fields if f.column not in ("id", "email")]
    names = ", ".join(columns)
    copied = ", ".join(f"t.{column}" for column in columns)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {Lead._meta.db_table} (email, {names}) "
            f"SELECT %s || g || '@bench.example', {copied} "
            f"FROM {Lead._meta.db_table} t CROSS JOIN generate_series(1, %s) g WHERE t.id = %s",
            [prefix, count, template.pk],
        )


def add_obligations(
    *, tenant_id: int, version_id: int, prefix: str, due: int, pending: int, now: datetime
) -> None:
    """One pending accept obligation per copied lead of `prefix`: the first `due` are past
    their deadline at `now`, the other `pending - due` are due (and warned) days later."""
    from sla.models import Obligation

    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {Obligation._meta.db_table} (tenant_id, lead_id, version_id, kind, "
            "status, within_hours, is_hot, opened_at, due_at, warn_at) "
            "SELECT %(tenant)s, l.id, %(version)s, 'accept', 'pending', 4, false, "
            "%(now)s - interval '5 hours', "
            "CASE WHEN l.n <= %(due)s THEN %(now)s - interval '1 second' * l.n "
            "ELSE %(now)s + interval '2 days' + interval '1 second' * l.n END, "
            "CASE WHEN l.n <= %(due)s THEN %(now)s - interval '1 hour' - interval '1 second' * l.n "
            "ELSE %(now)s + interval '1 day' + interval '1 second' * l.n END "
            "FROM (SELECT id, row_number() OVER (ORDER BY id) AS n FROM leads_lead "
            "      WHERE tenant_id = %(tenant)s AND email LIKE %(like)s) l "
            "WHERE l.n <= %(pending)s",
            {"tenant": tenant_id, "version": version_id, "now": now, "due": due,
             "pending": pending, "like": prefix + "%"},
        )  # fmt: skip
        cursor.execute(f"ANALYZE {Obligation._meta.db_table}")
