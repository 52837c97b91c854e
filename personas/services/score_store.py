"""Reading leads for scoring and writing their scores back, set-based.

Scoring reads plain rows (no model instances: building 100,000 of them would cost more than
scoring them) and writes each batch with one statement. On PostgreSQL the batch is copied
into a temporary table and joined into one UPDATE that only writes a row that is still the
version that was read (`xmin`), and says which rows it wrote.
"""

from __future__ import annotations

import io
import itertools
import json
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

from django.db import connection
from django.db.models import Case, QuerySet, TextField, Value, When
from django.db.models.expressions import RawSQL
from django.db.models.fields.json import KeyTransform
from django.db.models.functions import Cast

from leads.models import Lead
from smarketing.db import json_as_stored
from smarketing.durability import relax_commit_durability
from smarketing.tenancy.scope import apply_scope_now

# What scoring needs of a lead, and what it compares to tell whether the lead changed.
# JSON columns are read as text and decoded only where needed.
READ_FIELDS = ("id", "tenant_id", "industry", "company_size", "country", "title", "company",
               "engagement_raw", "engagement_at", "score", "fit_score", "engagement_score",
               "persona_id", "persona_version")  # fmt: skip
COLUMN = {name: index for index, name in enumerate(READ_FIELDS)}
CUSTOM = len(READ_FIELDS)  # custom_fields as JSON text, or None when not asked for
POINTS = CUSTOM + 1  # score_breakdown["engagement_points"] as JSON text, None without points
ROW_VERSION = POINTS + 1  # PostgreSQL only


class Scored:
    """A lead's row with its new scores, and its breakdown in parts: the fit part is shared
    by every lead with the same outcome (`fragment`: key and JSON text), the rest is the
    lead's own (JSON text)."""

    __slots__ = ("at", "contributions", "eng", "fit", "fragment", "persona_id",
                 "persona_version", "points", "raw", "row", "score", "zeroed")  # fmt: skip

    def __init__(self, row, *, score, fit, eng, raw, at, persona_id, persona_version, zeroed,
                 fragment, contributions, points):  # fmt: skip
        self.row, self.score, self.fit, self.eng, self.raw, self.at = row, score, fit, eng, raw, at
        self.persona_id, self.persona_version = persona_id, persona_version
        self.zeroed = zeroed  # engagement fell below the floor and is set to 0 now
        self.fragment, self.contributions, self.points = fragment, contributions, points

    @property
    def id(self) -> int:
        return self.row[0]

    @property
    def previous_score(self) -> int:
        return self.row[COLUMN["score"]]

    @property
    def shown_raw(self) -> float:
        return round(self.raw, 6)

    @property
    def breakdown(self) -> str:
        """The whole breakdown as JSON text (what the PostgreSQL write assembles itself)."""
        return (
            f'{{"score":{self.score},"fit":{self.fit},"engagement":{self.eng},'
            f'{self.fragment[1][1:-1]},"engagement_contributions":{self.contributions},'
            f'"engagement_raw":{self.shown_raw!r},"engagement_points":{self.points}}}'
        )

    def shows_change(self) -> bool:
        row = self.row
        return self.zeroed or (
            self.score != row[COLUMN["score"]]
            or self.fit != row[COLUMN["fit_score"]]
            or self.eng != row[COLUMN["engagement_score"]]
            or self.persona_id != row[COLUMN["persona_id"]]
            or self.persona_version != row[COLUMN["persona_version"]]
        )


def relax_durability() -> None:
    """For the current transaction, while it writes only scores: commit without waiting for
    the WAL flush.

    Scores are derived data, written with the job's progress in one transaction: a crash
    can lose only the last batches together with their progress, and the job redoes them.
    Should `lead.scored` move a lead (an SLA threshold crossed), that move and its outbox
    rows make the transaction durable again (`smarketing.durability`).
    """
    relax_commit_durability()


def scoring_rows(
    queryset: QuerySet[Lead],
    *,
    limit: int | None = None,
    lock: bool = False,
    custom_fields: bool,
) -> list[tuple]:
    """The first `limit` rows of `queryset` by id (see READ_FIELDS and the indexes above);
    with `custom_fields` when the caller's personas judge them."""
    points = Cast(KeyTransform("engagement_points", "score_breakdown"), TextField())
    queryset = queryset.annotate(
        scoring_custom=Cast("custom_fields", TextField())
        if custom_fields
        else Value(None, output_field=TextField()),
        scoring_points=Case(When(engagement_raw__gt=0, then=points), output_field=TextField()),
    )  # fmt: skip
    names = [*READ_FIELDS, "scoring_custom", "scoring_points"]
    if connection.vendor == "postgresql":
        table = connection.ops.quote_name(Lead._meta.db_table)
        queryset = queryset.annotate(scoring_row_version=RawSQL(f"{table}.xmin::text", ()))
        names.append("scoring_row_version")
    if lock:
        queryset = queryset.select_for_update(of=("self",))
    queryset = queryset.order_by("id").values_list(*names)
    return list(queryset[:limit])


def rows_of(leads: Iterable[Lead]) -> list[tuple]:
    """What `scoring_rows` reads, from leads this transaction has just written and holds
    (created, or locked and updated), by id: read back, they would give the same. Without a
    row version, the write does not compare one: no one else can have changed them."""
    rows = []
    for lead in sorted(leads, key=lambda lead: lead.pk):
        values = tuple(getattr(lead, name) for name in READ_FIELDS)
        breakdown = lead.score_breakdown if isinstance(lead.score_breakdown, dict) else {}
        points = breakdown.get("engagement_points")
        rows.append((*values, json.dumps(lead.custom_fields),
                     json.dumps(points) if lead.engagement_raw > 0 and points is not None
                     else None, None))  # fmt: skip
    return rows


_PG_BUFFER = "personas_score_buffer"
# Rows of earlier writes in the same transaction stay in the buffer until the commit; each
# write reads only its own, by number.
_write_numbers = itertools.count(1)
_PG_PREPARE = f"""
CREATE TEMPORARY TABLE IF NOT EXISTS {_PG_BUFFER} (
    write integer, id bigint, row_version xid, score smallint, fit_score smallint,
    engagement_score smallint, engagement_raw double precision, engagement_at timestamptz,
    fragment integer, contributions jsonb, shown_raw double precision, points jsonb,
    persona_id bigint, persona_version integer
) ON COMMIT DELETE ROWS
"""
# Each lead's breakdown is assembled here from the fit part it shares with others (looked up
# by number in one JSON object) and its own engagement part: a tenth of the bytes to send.
_PG_UPDATE = f"""
UPDATE "{Lead._meta.db_table}" AS l SET
    score = v.score, fit_score = v.fit_score, engagement_score = v.engagement_score,
    engagement_raw = v.engagement_raw, engagement_at = v.engagement_at,
    score_breakdown = (%s::jsonb -> v.fragment::text) || jsonb_build_object(
        'score', v.score, 'fit', v.fit_score, 'engagement', v.engagement_score,
        'engagement_contributions', v.contributions, 'engagement_raw', v.shown_raw,
        'engagement_points', v.points),
    persona_id = v.persona_id, persona_version = v.persona_version
FROM {_PG_BUFFER} AS v
WHERE v.write = %s AND l.id = ANY(%s) AND l.id = v.id
    AND (v.row_version IS NULL OR l.xmin = v.row_version)
RETURNING l.id
"""
_UPDATE_ONE = (
    "UPDATE {table} SET score = %s, fit_score = %s, engagement_score = %s, engagement_raw = %s, "
    "engagement_at = %s, score_breakdown = %s, persona_id = %s, persona_version = %s "
    "WHERE id = %s"
)
_NULL = "\\N"


@dataclass(frozen=True)
class _Batch:
    number: int
    ids: list[int]
    copy_text: str
    fragments: str  # {"<key>": fit part, ...}


def _batch(scored: list[Scored]) -> _Batch:
    """The batch in COPY's text format, with the fit parts it refers to.

    The lead's own parts are numbers and JSON objects keyed by event type: no tab, newline
    or backslash that COPY would read as more than text (the fit parts, which hold words
    people typed, travel as a parameter)."""
    number = next(_write_numbers)
    lines, fragments = [], {}
    for s in scored:
        key, text = s.fragment
        fragments[key] = text
        version = s.row[ROW_VERSION]
        persona_id = _NULL if s.persona_id is None else s.persona_id
        persona_version = _NULL if s.persona_version is None else s.persona_version
        own = f"{s.contributions}\t{s.shown_raw!r}\t{s.points}"
        lines.append(
            f"{number}\t{s.id}\t{version or _NULL}\t{s.score}\t{s.fit}\t{s.eng}\t{s.raw!r}\t"
            f"{s.at.isoformat()}\t{key}\t{own}\t{persona_id}\t{persona_version}\n"
        )
    shared = "{" + ",".join(f'"{key}":{text}' for key, text in fragments.items()) + "}"
    return _Batch(number, [s.id for s in scored], "".join(lines), shared)


def _pg_write(cursor, batch: _Batch) -> set[int]:
    cursor.execute(_PG_PREPARE)
    text = batch.copy_text
    # One read of the whole buffer: the copy must not wait for the interpreter chunk by chunk.
    # The size is how much is read at a time: any size copies the same rows.
    # pragma: no mutate start
    cursor.copy_expert(f"COPY {_PG_BUFFER} FROM STDIN", io.StringIO(text), len(text) + 1)
    # pragma: no mutate end
    # The ids let the planner find the rows by primary key: the buffer has no statistics,
    # and a guess can otherwise scan the whole table.
    cursor.execute(_PG_UPDATE, [batch.fragments, batch.number, batch.ids])
    return {row[0] for row in cursor.fetchall()}


# Writes inside a request or a handler (an upsert's leads, a bulk's, an event batch's) send
# the batch as one JSON document to one UPDATE: the buffer (three statements and a savepoint)
# only pays off for the re-score job's large batches, which keep it (`BackgroundWriter`).
_PG_UPDATE_JSON = f"""
UPDATE "{Lead._meta.db_table}" AS l SET
    score = v.score, fit_score = v.fit_score, engagement_score = v.engagement_score,
    engagement_raw = v.engagement_raw, engagement_at = v.engagement_at,
    score_breakdown = (%s::jsonb -> v.fragment::text) || jsonb_build_object(
        'score', v.score, 'fit', v.fit_score, 'engagement', v.engagement_score,
        'engagement_contributions', v.contributions, 'engagement_raw', v.shown_raw,
        'engagement_points', v.points),
    persona_id = v.persona_id, persona_version = v.persona_version
FROM jsonb_to_recordset(%s::jsonb) AS v (
    id bigint, row_version text, score smallint, fit_score smallint, engagement_score smallint,
    engagement_raw double precision, engagement_at timestamptz, fragment integer,
    contributions jsonb, shown_raw double precision, points jsonb, persona_id bigint,
    persona_version integer)
WHERE l.id = ANY(%s) AND l.id = v.id
    AND (v.row_version IS NULL OR l.xmin = v.row_version::xid)
RETURNING l.id
"""


def _pg_write_json(scored: list[Scored]) -> set[int]:
    items, fragments = [], {}
    for s in scored:
        key, text = s.fragment
        fragments[key] = text
        version = s.row[ROW_VERSION]
        items.append(
            f'{{"id":{s.id},"row_version":{json.dumps(version)},"score":{s.score},'
            f'"fit_score":{s.fit},"engagement_score":{s.eng},"engagement_raw":{s.raw!r},'
            f'"engagement_at":"{s.at.isoformat()}","fragment":{key},'
            f'"contributions":{s.contributions},"shown_raw":{s.shown_raw!r},'
            f'"points":{s.points},"persona_id":{json.dumps(s.persona_id)},'
            f'"persona_version":{json.dumps(s.persona_version)}}}'
        )
    shared = "{" + ",".join(f'"{key}":{text}' for key, text in fragments.items()) + "}"
    with connection.cursor() as cursor:
        cursor.execute(_PG_UPDATE_JSON, [shared, "[" + ",".join(items) + "]",
                                         [s.id for s in scored]])  # fmt: skip
        return {row[0] for row in cursor.fetchall()}


def write_scores(scored: list[Scored]) -> set[int]:
    """Write the new scores of a batch; returns the ids actually written."""
    if not scored:
        return set()
    if connection.vendor == "postgresql":
        return _pg_write_json(scored)
    return write_each(scored)


def write_each(scored: list[Scored]) -> set[int]:
    """The batch as one UPDATE per lead, whole breakdowns sent (SQLite; any database would
    do). Without a row version: the caller holds the only connection that writes."""
    table = connection.ops.quote_name(Lead._meta.db_table)
    adapt = connection.ops.adapt_datetimefield_value
    params = [
        (s.score, s.fit, s.eng, s.raw, adapt(s.at), s.breakdown, s.persona_id,
         s.persona_version, s.id)
        for s in scored
    ]  # fmt: skip
    with connection.cursor() as cursor:
        cursor.executemany(_UPDATE_ONE.format(table=table), params)
    return {s.id for s in scored}


class BackgroundWriter:
    """Writes a batch while the caller computes the next one (PostgreSQL).

    The write runs in a helper thread on the caller's own database connection, inside the
    caller's transaction; the caller must not use the connection until `result()`
    returned. The database driver serialises the connection's use anyway, and releases
    the interpreter while the server works: that is the time the next batch is scored in.
    Elsewhere (SQLite) the write happens at once.
    """

    def __init__(self, *, threaded: bool | None = None) -> None:
        # Threaded by default on PostgreSQL. Whether the write overlaps the next batch's
        # scoring is a matter of time only: the rows written are the same either way (so
        # mutating this changes no outcome).
        # pragma: no mutate start
        if threaded is None:
            threaded = connection.vendor == "postgresql"
        self._pool = (
            ThreadPoolExecutor(max_workers=1, thread_name_prefix="score-writer")
            if threaded
            else None
        )
        # pragma: no mutate end

    def start(self, scored: list[Scored]) -> Future:
        if self._pool is None:
            done: Future = Future()
            done.set_result(write_scores(scored))
            return done
        # The helper thread writes past Django's cursors: the session needs the scope first.
        # (Equivalent without it where the batch's rows were just read in the same scope,
        # as the re-score job does; kept for any other caller.)
        apply_scope_now(connection)  # pragma: no mutate
        return self._pool.submit(_write_raw, connection.connection, _batch(scored))

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown()

    def __enter__(self) -> BackgroundWriter:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _write_raw(raw_connection, batch: _Batch) -> set[int]:
    with raw_connection.cursor() as cursor:
        return _pg_write(cursor, batch)


def scores_apply(lead: Lead, scored: Scored) -> None:
    """Set on `lead` what `write_scores` wrote for it, as a read of the row would show it:
    the instance a transaction holds stays the row it wrote."""
    lead.score, lead.fit_score, lead.engagement_score = scored.score, scored.fit, scored.eng
    lead.engagement_raw, lead.engagement_at = scored.raw, scored.at
    lead.persona_id, lead.persona_version = scored.persona_id, scored.persona_version
    breakdown = json.loads(scored.breakdown)
    if connection.vendor == "postgresql":
        # The write builds `engagement_raw` from a double, which jsonb keeps as a number
        # without a fraction when it has none (0.0 reads back as 0); the rest comes from
        # JSON text, whose numbers keep their digits.
        raw = breakdown["engagement_raw"]
        if isinstance(raw, float) and raw.is_integer():
            breakdown["engagement_raw"] = int(raw)
    lead.score_breakdown = json_as_stored(breakdown)


class ScoredLeads(Sequence[Lead]):
    """The updated leads, read (in one query) the first time someone looks at them.

    `lead.scored` handlers get these; most only look at the items, so a re-score of a
    hundred thousand leads does not build a hundred thousand model instances for nobody.
    Read inside the transaction that wrote them, they carry the new scores. `held` leads
    (instances the transaction holds, their scores applied) are handed out as they are, so
    what a handler changes on them (a stage) is on the caller's instance too.
    """

    def __init__(self, tenant_id: int, ids: list[int], held: dict[int, Lead] | None = None):
        self._tenant_id, self._ids, self._held = tenant_id, ids, held or {}
        self._leads: list[Lead] | None = None

    def __len__(self) -> int:
        return len(self._ids)

    def __getitem__(self, index):
        return self._materialize()[index]

    def __iter__(self) -> Iterator[Lead]:
        return iter(self._materialize())

    def _materialize(self) -> list[Lead]:
        if self._leads is None:
            found = dict(self._held)
            rest = [pk for pk in self._ids if pk not in found]
            if rest:
                leads = Lead.all_tenants.filter(tenant_id=self._tenant_id, pk__in=rest)
                found.update((lead.pk, lead) for lead in leads)
            self._leads = [found[pk] for pk in self._ids if pk in found]
        return self._leads
