"""The error report of an import: every failed row as it was in the file, plus why.

Cells are written through the export's rule (`leads.spreadsheet`): the report is opened in a
spreadsheet, and a row that failed may be exactly the one that carries a formula.
"""

from __future__ import annotations

import csv
import io
import tempfile
from typing import Any

from django.core.files import File

from leads.spreadsheet import neutralize_cell

REASON_COLUMN = "reason"
SAMPLE_SIZE = 20


def reason_text(errors: dict[str, list[str]], labels: dict[str, str]) -> str:
    """One line a person understands, naming the columns as their file names them."""
    parts = []
    for field_name, messages in errors.items():
        column = labels.get(field_name, field_name)
        parts.append(f"{column}: {' '.join(messages)}" if column else " ".join(messages))
    return "; ".join(parts)


class ErrorReport:
    """Failed rows go to a temporary file as they come (constant memory); the first few
    are also kept for the page."""

    def __init__(self, header: list[str], delimiter: str):
        self._file = tempfile.TemporaryFile()  # noqa: SIM115  (closed by close())
        # With a byte-order mark, spreadsheet programs read the accents right.
        self._text = io.TextIOWrapper(self._file, encoding="utf-8-sig", newline="")
        self._writer = csv.writer(self._text, delimiter=delimiter)
        self._writer.writerow([neutralize_cell(name) for name in [*header, REASON_COLUMN]])
        self.count = 0
        self.sample: list[dict[str, Any]] = []

    def add(self, *, line: int, cells: list[str], email: str, reason: str) -> None:
        self._writer.writerow([neutralize_cell(text) for text in [*cells, reason]])
        self.count += 1
        if len(self.sample) < SAMPLE_SIZE:
            self.sample.append({"line": line, "email": email[:254], "reason": reason})

    def as_file(self) -> File:
        self._text.flush()
        self._file.seek(0)
        return File(self._file)

    def close(self) -> None:
        self._text.close()
