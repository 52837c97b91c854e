"""The person in imports: their rows (subject access), erasing them (the failure sample,
the error text and both CSV files), and pruning the files of old imports (retention).

A row that holds the person's address is kept as a row (line numbers and counts still add
up) with the address replaced and every other cell emptied; the error report keeps its
`reason` column, redacted. Rewritten files get new names inside the transaction; the old
files are deleted when it commits, so a rolled-back erasure leaves the originals in place.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import datetime, timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q

from leads.errors import ImportInProgress
from leads.imports.csvfile import CHUNK_BYTES, open_rows
from leads.imports.models import FINISHED_STATUSES, LeadImport
from smarketing.privacy.redaction import Redaction


def imports_erase_person(*, email: str, redaction: Redaction) -> dict[str, int]:
    """Redact the person (found by `email`) from the current tenant's imports."""
    counts = {"import_records": 0, "import_files": 0}
    needle = email.strip().casefold()
    if not needle:
        return counts
    for lead_import in LeadImport.objects.filter(
        ~Q(file="") | ~Q(error_report="") | Q(failure_sample__icontains=needle)
        | Q(error__icontains=needle)
    ):  # fmt: skip
        if not lead_import.is_finished and lead_import.file and _holds(lead_import.file, needle):
            # Its worker would write the person back (the lead, the sample) after the erasure.
            raise ImportInProgress(
                f"The import of {lead_import.original_filename} holds this person and is "
                f"still {lead_import.status}: erase when it has finished."
            )
        changes = {}
        sample = redaction.json(lead_import.failure_sample)
        if sample != lead_import.failure_sample:
            changes["failure_sample"] = sample
        error = redaction.text(lead_import.error)
        if error != lead_import.error:
            changes["error"] = error
        for name, keep_last in (("file", False), ("error_report", True)):
            stored = getattr(lead_import, name)
            if stored and _holds(stored, needle):
                changes[name] = _rewrite(stored, needle, redaction, keep_last=keep_last)
                counts["import_files"] += 1
        if changes:
            LeadImport.objects.filter(pk=lead_import.pk).update(**changes)
            counts["import_records"] += 1
    return counts


def import_rows_of(*, lead_import: LeadImport, email: str) -> list[dict[str, object]]:
    """The rows of the uploaded file that hold `email` (a subject access export)."""
    needle = email.strip().casefold()
    if not needle or not lead_import.file or not _holds(lead_import.file, needle):
        return []
    with lead_import.file.open("rb") as binary:
        _, rows = open_rows(binary)
        header = next(rows, (0, []))[1]
        return [
            {"line": line, "cells": dict(zip(header, cells, strict=False))}
            for line, cells in rows
            if _row_holds(cells, needle)
        ]


def _holds(stored, needle: str) -> bool:
    """Whether the file holds the address anywhere, read in chunks (never whole)."""
    target = needle.encode()
    tail = b""
    try:
        with stored.open("rb") as binary:
            while chunk := binary.read(CHUNK_BYTES):
                window = tail + chunk.lower()
                if target in window:
                    return True
                tail = window[-len(target) :]
    except FileNotFoundError:
        return False
    return False


def _row_holds(cells: list[str], needle: str) -> bool:
    return any(needle in cell.casefold() for cell in cells)


def _rewrite(stored, needle: str, redaction: Redaction, *, keep_last: bool) -> str:
    """Write the file again without the person; returns the new name (old one goes on commit)."""
    output = io.StringIO(newline="")
    with stored.open("rb") as binary:
        delimiter, rows = open_rows(binary)
        writer = csv.writer(output, delimiter=delimiter)
        for _, cells in rows:
            writer.writerow(_redact_row(cells, needle, redaction, keep_last) if _row_holds(
                cells, needle) else cells)  # fmt: skip
    old_name = stored.name
    stem = old_name.rsplit("/", 1)[-1].removesuffix(".csv").removesuffix("-errors")
    # With a byte-order mark, spreadsheet programs read the accents right.
    content = ContentFile(("\ufeff" + output.getvalue()).encode())
    new_name = stored.storage.save(stored.field.generate_filename(stored.instance, f"{stem}.csv"),
                                   content)  # fmt: skip
    # Robust: the erasure has committed by then, so a file that cannot be deleted is logged
    # as an error (with its name, for the operator) rather than answered as a server error.
    transaction.on_commit(_delete_later(stored.storage, old_name), robust=True)
    return new_name


def _redact_row(cells: list[str], needle: str, redaction: Redaction, keep_last: bool) -> list:
    erased = redaction.whole.get(needle, "")
    row = [erased if cell.strip().casefold() == needle else "" for cell in cells]
    if keep_last and cells:
        row[-1] = redaction.text(cells[-1])
    return row


def _delete_later(storage, name: str) -> Callable[[], None]:
    return lambda: storage.delete(name)


FILE_BATCH_SIZE = 500


def import_files_prune(now: datetime) -> int:
    """Retention: finished imports older than `RETENTION_IMPORT_FILES_DAYS` lose their files
    and failure sample; the import row with its counts stays. Returns imports pruned.

    Files are deleted one by one (storage has no bulk delete), then the rows are cleared in
    one UPDATE per batch; a file already gone is no error, so a re-run finishes the job.
    """
    cutoff = now - timedelta(days=settings.RETENTION_IMPORT_FILES_DAYS)
    due = LeadImport.all_tenants.filter(
        Q(status__in=FINISHED_STATUSES), Q(finished_at__lt=cutoff),
        ~Q(file="") | ~Q(error_report="") | ~Q(failure_sample=[]),
    ).order_by("pk")  # fmt: skip
    pruned = 0
    while batch := list(due.only("pk", "file", "error_report")[:FILE_BATCH_SIZE]):
        for lead_import in batch:
            for stored in (lead_import.file, lead_import.error_report):
                if stored:
                    stored.storage.delete(stored.name)
        pruned += LeadImport.all_tenants.filter(pk__in=[row.pk for row in batch]).update(
            file="", error_report="", failure_sample=[]
        )
    return pruned
