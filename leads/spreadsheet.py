"""The one rule for text that leaves as a CSV cell: never something a spreadsheet runs.

A cell starting with `=`, `+`, `-`, `@`, a tab or a carriage return is read as a formula by
spreadsheet programs (CSV injection). Such a cell gets a leading apostrophe, which they show
as text. Phone numbers such as "+39 06 1234" and negative numbers are data and stay as they are.
Used by the lead export and by the import's error report, so both files are equally safe.
"""

from __future__ import annotations

import re

_FORMULA = re.compile(r"^[=@\t\r]|^[+\-](?![\d\s().\-/]*$)")


def neutralize_cell(text: str) -> str:
    """`text`, prefixed with `'` when a spreadsheet would evaluate it."""
    return "'" + text if _FORMULA.match(text) else text
