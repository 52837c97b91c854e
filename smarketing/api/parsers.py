"""JSON bodies that PostgreSQL can store, or a clear 400.

JSON may spell characters that are not text (a lone UTF-16 surrogate such as "\\ud800") and
NUL ("\\u0000"); Python parses both, PostgreSQL refuses both in text and jsonb. Checking the
parsed body once here keeps every endpoint from answering 500 on them.
"""

import io
import re
from typing import Any

from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser


def _invalid_text(value: Any) -> str | None:
    if isinstance(value, str):
        if "\x00" in value:
            return "The JSON contains a NUL character (\\u0000), which cannot be stored."
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return "The JSON contains a lone surrogate (e.g. \\ud800), which is not text."
        return None
    if isinstance(value, dict):
        for key, item in value.items():
            problem = _invalid_text(key) or _invalid_text(item)
            if problem:
                return problem
    elif isinstance(value, list):
        for item in value:
            problem = _invalid_text(item)
            if problem:
                return problem
    return None


# Both can only be spelled as escapes (raw NUL is not valid JSON, a raw surrogate is not
# valid UTF-8). A body without these escapes needs no walk; one with them (an escaped
# backslash before "u0000", a proper surrogate pair) is walked to be sure.
_SUSPECT_ESCAPE = re.compile(rb"\\u(?:0000|[dD][89a-fA-F])")


class TextSafeJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        body = stream.read()
        data = super().parse(io.BytesIO(body), media_type, parser_context)
        problem = _invalid_text(data) if _SUSPECT_ESCAPE.search(body) else None
        if problem:
            raise ParseError(problem)
        return data
