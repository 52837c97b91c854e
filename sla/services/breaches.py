"""The sweep: due obligations become breaches, exactly once, with escalation and re-routing.

Each batch is one transaction: one statement claims up to `batch_size` due obligations
(`UPDATE … WHERE status = 'pending' … RETURNING`; on PostgreSQL the inner SELECT takes row
locks with SKIP LOCKED, so concurrent sweeps split the work instead of waiting), then the
breach records, the re-routes and the `sla.breached` events (outbox) are written in the same
transaction. A sweep killed mid-batch rolls back whole; a second sweep finds only what is
still pending. The statement reads the partial index on pending deadlines, so its cost
follows the number of due obligations, not the size of the table.
"""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any, NamedTuple

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.utils import timezone

from leads.models import Lead, Stage
from leads.routing.route import lead_reroute
from sla import selectors
from sla.models import Breach, Obligation, ObligationKind, SlaVersion
from sla.services.obligations import obligations_open
from sla.services.planner import ordered_index_scans
from sla.services.rollups import rollup_days_touch
from smarketing.events import publish_many
from smarketing.tenancy.scope import cross_tenant_scope, tenant_scope

BATCH_SIZE = 5000
_TABLE = Obligation._meta.db_table


@dataclass
class SweepCounts:
    breached: int = 0
    warned: int = 0
    rerouted: int = 0

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


# What a claim returns of each row: enough to record, announce and re-route without a re-read.
CLAIMED_COLUMNS = ("id", "tenant_id", "lead_id", "kind", "owner_id", "version_id", "opened_at",
                   "due_at", "warn_at")  # fmt: skip
_TIMES = frozenset({"opened_at", "due_at", "warn_at"})


class Claim(NamedTuple):
    """What a claim of one kind sets on the rows it takes, and the deadline it reads."""

    setting: str
    column: str
    condition: str


# Breaches first: an obligation already due is breached, never warned.
CLAIMS = {
    "breach": Claim("status = 'breached', breached_at", "due_at", ""),
    "warning": Claim("warned_at", "warn_at", " AND warned_at IS NULL"),
}


def claim_sql(kind: str, *, vendor: str, by_tenant: bool = False, resume: bool = False) -> str:
    """The claiming statement: `kind` is "breach" (due) or "warning" (past the 80% mark).

    Params: now, now, [resume_from], [tenant_id], limit. The literals in the WHERE clause
    match the predicates of the partial indexes, so the planner may use them. `resume`
    starts the index range where the previous batch of the same sweep ended: the entries
    before it belong to rows that batch just claimed, dead until vacuum, and skipping them
    keeps every batch as cheap as the first.
    """
    # SQL keywords and unquoted names are case-insensitive: re-cased, these are the same SQL.
    lock = " FOR UPDATE SKIP LOCKED" if vendor == "postgresql" else ""  # pragma: no mutate
    tenant = " AND tenant_id = %s" if by_tenant else ""  # pragma: no mutate
    setting, column, condition = CLAIMS[kind]
    since = f" AND {column} >= %s" if resume else ""
    due = f"status = 'pending'{condition} AND {column} <= %s{since}{tenant}"
    return (
        f"UPDATE {_TABLE} SET {setting} = %s WHERE id IN "
        f"(SELECT id FROM {_TABLE} WHERE {due} ORDER BY {column} LIMIT %s{lock}) "
        f"AND status = 'pending'{condition} RETURNING {', '.join(CLAIMED_COLUMNS)}"
    )


def _claim_params(
    now: datetime, tenant_id: int | None, limit: int, resume_from: datetime | None = None
) -> list[Any]:
    adapt = connection.ops.adapt_datetimefield_value
    resume = [adapt(resume_from)] if resume_from else []
    return [adapt(now), adapt(now), *resume, *([tenant_id] if tenant_id else []), limit]


def claim_plan(kind: str, *, now: datetime, limit: int = BATCH_SIZE) -> str:
    """PostgreSQL's plan of the claim, as the sweep runs it (nothing is changed)."""
    sql = claim_sql(kind, vendor=connection.vendor)
    with transaction.atomic(), ordered_index_scans(), connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN {sql}", _claim_params(now, None, limit))
        return "\n".join(row[0] for row in cursor.fetchall())


def _aware(value: Any) -> datetime:
    # PostgreSQL returns typed values; SQLite returns RETURNING columns as text, which its
    # backend's own converter types (PostgreSQL's backend has none: it needs none).
    # Not mutated: this runs on SQLite only, whose suite breaks with any change here but the
    # last argument's (its converter reads its own connection: equivalent).
    return connection.ops.convert_datetimefield_value(value, None, connection)  # pragma: no mutate


def _claim(
    kind: str, *, now: datetime, tenant_id: int | None, limit: int, resume_from: datetime | None
) -> dict[int, list]:
    """Claim due rows; returns {tenant_id: [row dicts]}."""
    sql = claim_sql(kind, vendor=connection.vendor, by_tenant=tenant_id is not None,
                    resume=resume_from is not None)  # fmt: skip
    with ordered_index_scans(), connection.cursor() as cursor:
        cursor.execute(sql, _claim_params(now, tenant_id, limit, resume_from))
        rows = cursor.fetchall()
    claimed: dict[int, list[dict]] = defaultdict(list)
    typed = connection.vendor == "postgresql"
    for values in rows:
        # RETURNING lists exactly CLAIMED_COLUMNS: a zip that did not check would be the same.
        row = dict(zip(CLAIMED_COLUMNS, values, strict=True))  # pragma: no mutate
        if not typed:
            for name in _TIMES:
                row[name] = _aware(row[name])
        claimed[row["tenant_id"]].append(row)
    return claimed


def _people(user_ids) -> dict[int, dict[str, Any]]:
    users = get_user_model().objects.filter(pk__in=[uid for uid in user_ids if uid])
    return {pk: {"id": pk, "email": email} for pk, email in users.values_list("pk", "email")}


def _reroute(rows: list[dict], versions: dict[int, SlaVersion], *, tenant_id: int, now) -> dict:
    """Give each breached, still unaccepted SQL to another eligible rep, chosen by the
    tenant's routing (`leads.routing`, the one place of that rule: rules, mode, away reps,
    capacity), never the current owner. The new owner gets a fresh accept obligation under
    the active terms. Returns {obligation: rep}.
    """
    wanted = {
        row["lead_id"]: row["id"]
        for row in rows
        if row["kind"] == ObligationKind.ACCEPT and versions[row["version_id"]].reroute_on_breach
    }
    if not wanted:
        return {}
    leads = Lead.objects.filter(pk__in=list(wanted), stage=Stage.SQL, accepted_at__isnull=True)
    rerouted: dict[int, int] = {}
    moved: list[Lead] = []
    # Read with each lead: what routing reads of it (the same leads, fewer queries).
    leads = leads.select_related("owner", "tenant")  # pragma: no mutate
    for lead in leads.order_by("id"):
        rep_id = lead_reroute(lead=lead, reason="the SLA's accept deadline passed.")
        if rep_id is None:
            continue  # nobody else available, or the lead moved meanwhile
        moved.append(lead)
        rerouted[wanted[lead.pk]] = rep_id
    if moved:
        obligations_open(leads=moved, kind=ObligationKind.ACCEPT, now=now)
    return rerouted


def _insert_breaches(rows: list[dict[str, Any]]) -> None:
    """Write the breach records (all of one breach time). On PostgreSQL one INSERT … SELECT
    copies the columns from the obligations and takes only what differs per row as arrays,
    each escalation list (there are few distinct ones) sent once: the ORM's per-field
    preparation of thousands of rows would cost more than the database's work."""
    if connection.vendor != "postgresql":
        Breach.objects.bulk_create([Breach(**row) for row in rows])
        return
    from psycopg2.extras import Json

    escalations: dict[tuple, int] = {}
    for row in rows:
        escalations.setdefault(tuple(row["escalated_to"]), len(escalations) + 1)
    table = Breach._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (tenant_id, obligation_id, lead_id, kind, owner_id, due_at, "
            "breached_at, escalated_to, rerouted_to_id) "
            "SELECT o.tenant_id, o.id, o.lead_id, o.kind, o.owner_id, o.due_at, %s, "
            "(%s::jsonb[])[v.escalation], v.rerouted "
            "FROM unnest(%s::bigint[], %s::int[], %s::bigint[]) AS v(id, escalation, rerouted) "
            f"JOIN {Obligation._meta.db_table} o ON o.id = v.id",
            [
                rows[0]["breached_at"],
                [Json(list(people)) for people in escalations],
                [row["obligation_id"] for row in rows],
                [escalations[tuple(row["escalated_to"])] for row in rows],
                [row["rerouted_to_id"] for row in rows],
            ],
        )


def breach_claimed(*, tenant_id: int, rows: list[dict], now: datetime, reroute: bool = True):
    """Record, escalate, re-route and announce obligations the caller just moved to breached.

    Only the caller whose conditional UPDATE moved them may call this, in that transaction:
    that is what makes each breach record and each `sla.breached` event happen once.
    `rows` hold the obligations' columns as claimed. Returns (breaches, re-routes).
    """
    if not rows:
        return 0, 0
    with tenant_scope(tenant_id):
        versions = SlaVersion.objects.in_bulk({row["version_id"] for row in rows})
        managers = selectors.managers_of_tenant(tenant_id=tenant_id)
        rerouted = _reroute(rows, versions, tenant_id=tenant_id, now=now) if reroute else {}
        people = _people({row["owner_id"] for row in rows} | set(rerouted.values()))
        breaches, items = [], []
        for row in rows:
            version = versions[row["version_id"]]
            owner = people.get(row["owner_id"])
            notify = [owner] if owner and "owner" in version.notify_on_breach else []
            if "managers" in version.notify_on_breach:
                notify += [m for m in managers if m["id"] != row["owner_id"]]
            breaches.append({
                "tenant_id": tenant_id, "obligation_id": row["id"], "lead_id": row["lead_id"],
                "kind": row["kind"], "owner_id": row["owner_id"], "due_at": row["due_at"],
                "breached_at": now, "escalated_to": [person["id"] for person in notify],
                "rerouted_to_id": rerouted.get(row["id"]),
            })  # fmt: skip
            items.append({
                "obligation": row["id"], "lead": row["lead_id"], "kind": row["kind"],
                "version": version.pk, "owner": owner, "opened_at": row["opened_at"],
                "due_at": row["due_at"], "breached_at": now, "notify": notify,
                "rerouted_to": people.get(rerouted.get(row["id"])),
            })  # fmt: skip
        _insert_breaches(breaches)
        rollup_days_touch(opened=[row["opened_at"] for row in rows], now=now)
        publish_many("sla.breached", tenant=tenant_id, items=items)
    return len(rows), len(rerouted)


def warn_claimed(*, tenant_id: int, rows: list[dict]) -> int:
    """Announce obligations past their 80% mark (`sla.warning`), claimed by the caller."""
    with tenant_scope(tenant_id):
        people = _people({row["owner_id"] for row in rows})
        # Obligations nobody owns warn the managers (one read per tenant and batch).
        managers = selectors.managers_of_tenant(tenant_id=tenant_id)
        items = []
        for row in rows:
            owner = people.get(row["owner_id"])
            items.append({
                "obligation": row["id"], "lead": row["lead_id"], "kind": row["kind"],
                "owner": owner, "opened_at": row["opened_at"], "warn_at": row["warn_at"],
                "due_at": row["due_at"], "notify": [owner] if owner else managers,
            })  # fmt: skip
        publish_many("sla.warning", tenant=tenant_id, items=items)
    return len(rows)


def sla_sweep(
    *,
    now: datetime | None = None,
    tenant_id: int | None = None,
    batch_size: int = BATCH_SIZE,
    batch_pause_seconds: float = 0.0,
) -> SweepCounts:
    """Breach what is due and warn what is close, across tenants (or one), batch by batch.

    `batch_pause_seconds` holds each batch open that long before it commits; it exists to
    widen the window in which tests run sweeps side by side or kill a worker mid-batch.
    """
    now = now or timezone.now()
    counts = SweepCounts()
    with cross_tenant_scope():
        for kind, claim in CLAIMS.items():
            resume_from = None
            while True:
                with transaction.atomic():
                    claimed = _claim(
                        kind,
                        now=now,
                        tenant_id=tenant_id,
                        limit=batch_size,
                        # Skips the index entries of rows this sweep claimed already. From the
                        # start instead: the same breaches, more slowly (a row a concurrent
                        # sweep let go meanwhile is taken by this run rather than the next).
                        resume_from=resume_from,  # pragma: no mutate
                    )
                    for owner_tenant, rows in claimed.items():
                        if kind == "breach":
                            breached, rerouted = breach_claimed(
                                tenant_id=owner_tenant, rows=rows, now=now
                            )
                            counts.breached += breached
                            counts.rerouted += rerouted
                        else:
                            counts.warned += warn_claimed(tenant_id=owner_tenant, rows=rows)
                    if batch_pause_seconds and claimed:
                        time.sleep(batch_pause_seconds)
                if sum(len(rows) for rows in claimed.values()) < batch_size:
                    break
                # Rows a concurrent sweep held may lie before this point; it claims them, or,
                # if it rolls back, the next run does.
                resume_from = max(  # pragma: no mutate (None: the same breaches, see above)
                    row[claim.column] for rows in claimed.values() for row in rows
                )
    return counts
