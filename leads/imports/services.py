"""Starting and running CSV imports of leads.

`lead_import_start` checks the upload and queues the work; `lead_import_process` streams the
file in batches of `BATCH_SIZE` rows through `leads_bulk_upsert`, so an import follows the
same cleaning and merge rules as the API (non-empty values fill or update, nothing is
blanked) and one bad row never sinks the others.
"""

from __future__ import annotations

import logging
from collections import Counter
from datetime import timedelta
from pathlib import PurePath
from time import monotonic, sleep
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from leads.imports.columns import ColumnMap, HeaderError
from leads.imports.csvfile import (
    HEAD_BYTES,
    MAX_FILE_BYTES,
    MalformedFile,
    head_problem,
    open_rows,
    scan,
)
from leads.imports.mapping import campaigns_by_name, clean_mapping, column_map_for
from leads.imports.models import ImportStatus, LeadImport
from leads.imports.report import ErrorReport, reason_text
from leads.models import TouchSource
from leads.services import leads_bulk_upsert
from smarketing.errors import DomainError
from smarketing.tenancy.actors import Actor
from smarketing.tenancy.selectors import membership_in

logger = logging.getLogger(__name__)

BATCH_SIZE = 1000
# On SQLite (the demo) one writer at a time holds the whole file: smaller batches keep each
# write transaction short, and after a batch that held the lock a while the import pauses
# briefly, since SQLite has no queue of waiting writers (they poll every 100 ms and would
# miss a shorter gap, then give up after the busy timeout).
SQLITE_BATCH_SIZE = 250
SQLITE_PAUSE_AFTER_SECONDS = 0.2
SQLITE_PAUSE_SECONDS = 0.12
# A run still "running" this long after it started was cut off (the worker died): Celery's
# hard time limit of the task is shorter.
STALLED_AFTER = timedelta(hours=1)


class InvalidImportFile(DomainError):
    code = "invalid_file"
    title = "The file cannot be imported"

    def __init__(self, message: str):
        super().__init__(message, extra={"errors": {"file": [message]}})


@transaction.atomic
def lead_import_start(
    *, tenant, actor: Actor, uploaded_file, mapping: dict | None = None,
    create_campaigns: bool = False,
) -> LeadImport:  # fmt: skip
    """Keep the uploaded file and queue its import (after commit). Refuses at once what is
    obviously no CSV text; the full check of every line happens in the import itself."""
    size = uploaded_file.size or 0
    if size > MAX_FILE_BYTES:
        raise InvalidImportFile(
            f"The file is {size / 1024 / 1024:.0f} MB; at most {MAX_FILE_BYTES // 1024 // 1024}"
            " MB can be imported at once. Split it into smaller files."
        )
    uploaded_file.seek(0)
    problem = head_problem(uploaded_file.read(HEAD_BYTES))
    uploaded_file.seek(0)
    if problem:
        raise InvalidImportFile(problem)
    name = PurePath(uploaded_file.name or "leads.csv").name[:255]
    lead_import = LeadImport(tenant=tenant, created_by=actor.user, original_filename=name,
                             mapping=clean_mapping(mapping) if mapping else {},
                             create_campaigns=create_campaigns)  # fmt: skip
    lead_import.file.save(name, uploaded_file, save=False)
    lead_import.save(force_insert=True)
    transaction.on_commit(lambda: _enqueue(lead_import.pk))
    return lead_import


def _enqueue(import_id: int) -> None:
    from leads.tasks import lead_import_run  # the tasks module imports this one

    lead_import_run.delay(import_id)


def lead_import_process(*, lead_import: LeadImport) -> LeadImport:
    """Run a queued import to its end; returns it updated.

    Not one transaction: each batch commits on its own, and progress is written after each,
    so the page can follow it. The import is claimed first (queued → running, a conditional
    update), so a second delivery of the task changes nothing.
    """
    now = timezone.now()
    claimed = LeadImport.objects.filter(pk=lead_import.pk, status=ImportStatus.QUEUED).update(
        status=ImportStatus.RUNNING, started_at=now
    )
    if not claimed:
        lead_import.refresh_from_db()
        stalled = lead_import.started_at and lead_import.started_at < now - STALLED_AFTER
        if lead_import.status == ImportStatus.RUNNING and stalled:
            # Delivered again long after it started: the worker that ran it died.
            _finish(lead_import, status=ImportStatus.FAILED, error=_interrupted(lead_import))
        return lead_import
    lead_import.status, lead_import.started_at = ImportStatus.RUNNING, now
    run = _Run(lead_import)
    try:
        run.execute()
    except MalformedFile as exc:
        run.close()
        _finish(lead_import, status=ImportStatus.FAILED, error=str(exc), counts=run.counts)
    except Exception:
        logger.exception("Import %s stopped", lead_import.pk)
        run.close()
        _finish(
            lead_import,
            status=ImportStatus.FAILED,
            error=_interrupted(lead_import, done=run.counts["done"]),
            counts=run.counts,
        )
    else:
        _finish(lead_import, status=ImportStatus.DONE, counts=run.counts, report=run.report)
        run.close()
    return lead_import


def _interrupted(lead_import: LeadImport, done: int | None = None) -> str:
    done = lead_import.done if done is None else done
    return (
        f"The import stopped unexpectedly after {done} rows; the good ones among them were "
        "imported. "
        "Upload the file again to import the rest: rows already imported are only updated."
    )


def _actor_for(lead_import: LeadImport) -> Actor:
    user = lead_import.created_by
    membership = membership_in(user=user, tenant=lead_import.tenant) if user else None
    if membership is None:
        return Actor(user=None, role="system", label=f"import of {lead_import.original_filename}")
    return Actor.member(user, membership.role)


class _Run:
    """The state of one import while it runs: counts, the error report, the current batch."""

    def __init__(self, lead_import: LeadImport):
        self.lead_import = lead_import
        self.counts: Counter[str] = Counter()
        self.report: ErrorReport | None = None
        self.columns: ColumnMap | None = None
        self.batch: list[tuple[int, list[str], dict[str, Any]]] = []
        self.shared_file = connection.vendor == "sqlite"
        self.batch_size = min(BATCH_SIZE, SQLITE_BATCH_SIZE) if self.shared_file else BATCH_SIZE

    def execute(self) -> None:
        lead_import = self.lead_import
        actor = _actor_for(lead_import)
        with lead_import.file.open("rb") as binary:
            lines = scan(binary)
            lead_import.total = max(lines - 1, 0)
            LeadImport.objects.filter(pk=lead_import.pk).update(total=lead_import.total)
            delimiter, rows = open_rows(binary)
            header = next(rows, None)
            if header is None:
                raise MalformedFile("The file is empty: there is nothing to import.")
            try:
                self.columns = (
                    column_map_for(header[1], lead_import.mapping)
                    if lead_import.mapping
                    else ColumnMap.from_header(header[1])
                )
            except HeaderError as exc:
                raise MalformedFile(str(exc)) from None
            lead_import.column_map = self.columns.as_dict()
            LeadImport.objects.filter(pk=lead_import.pk).update(column_map=lead_import.column_map)
            self.report = ErrorReport(header[1], delimiter)
            width = len(header[1])
            for line, cells in rows:
                if len(cells) > width and any(cell.strip() for cell in cells[width:]):
                    self._fail(
                        line,
                        cells,
                        f"This row has {len(cells)} values but the header has {width} "
                        "columns: a value probably holds the separator without quotes.",
                    )
                    continue
                self.batch.append((line, cells, self.columns.lead_data(cells)))
                if len(self.batch) >= self.batch_size:
                    self._flush(actor)
            self._flush(actor)

    def _fail(self, line: int, cells: list[str], reason: str, email: str = "") -> None:
        self.report.add(line=line, cells=cells, email=email, reason=reason)
        self.counts["failed"] += 1
        self.counts["done"] += 1

    def _flush(self, actor: Actor) -> None:
        if not self.batch:
            self._save_progress()
            return
        unknown = campaigns_by_name([data for _, _, data in self.batch],
                                    tenant=self.lead_import.tenant,
                                    create=self.lead_import.create_campaigns)  # fmt: skip
        for index in sorted(unknown, reverse=True):
            line, cells, data = self.batch.pop(index)
            self._fail(line, cells, unknown[index], email=str(data.get("email", "")))
        started = monotonic()
        results = leads_bulk_upsert(
            tenant=self.lead_import.tenant, actor=actor, items=[data for _, _, data in self.batch],
            touch_source=TouchSource.IMPORT,
        )  # fmt: skip
        held = monotonic() - started
        for (line, cells, data), result in zip(self.batch, results, strict=True):
            if result.status == "error":
                reason = reason_text(result.errors or {}, self.columns.labels)
                self._fail(line, cells, reason, email=str(data.get("email", "")))
            else:
                self.counts[result.status] += 1
                self.counts["done"] += 1
        self.batch = []
        self._save_progress()
        if self.shared_file and held > SQLITE_PAUSE_AFTER_SECONDS:
            sleep(SQLITE_PAUSE_SECONDS)

    def _save_progress(self) -> None:
        LeadImport.objects.filter(pk=self.lead_import.pk).update(
            **_count_fields(self.counts), failure_sample=self.report.sample if self.report else []
        )

    def close(self) -> None:
        if self.report is not None:
            self.report.close()


def _count_fields(counts: Counter[str]) -> dict[str, int]:
    return {name: counts[name] for name in ("done", "created", "updated", "unchanged", "failed")}


def _finish(
    lead_import: LeadImport,
    *,
    status: str,
    error: str = "",
    counts: Counter[str] | None = None,
    report: ErrorReport | None = None,
) -> None:
    fields = ["status", "error", "finished_at"]
    lead_import.status, lead_import.error = status, error
    lead_import.finished_at = timezone.now()
    if counts is not None:
        for name, value in _count_fields(counts).items():
            setattr(lead_import, name, value)
        fields += list(_count_fields(counts))
        if status == ImportStatus.DONE:
            # Until now `total` counted lines; a quoted value may span several of them.
            lead_import.total = counts["done"]
            fields.append("total")
    if report is not None:
        lead_import.failure_sample = report.sample
        fields.append("failure_sample")
        if report.count:
            stem = PurePath(lead_import.original_filename).stem or "import"
            lead_import.error_report.save(f"{stem}.csv", report.as_file(), save=False)
            fields.append("error_report")
    lead_import.save(update_fields=fields)
