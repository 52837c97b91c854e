"""JSON bodies that PostgreSQL can store, or a clear 400.

JSON may spell characters that are not text (a lone UTF-16 surrogate such as "\\ud800") and
NUL ("\\u0000"); Python parses both, PostgreSQL refuses both in text and jsonb. Checking the
parsed body once here keeps every endpoint from answering 500 on them.

JSON may also nest arrays and objects thousands deep: the parser, and every later step that
walks the value (validation, storage, rendering), would recurse until Python gives up. Bodies
nested deeper than `MAX_DEPTH` are refused here.
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


# Far beyond what any field of the API needs (custom fields, event properties, criteria),
# far below Python's recursion limit.
MAX_DEPTH = 32
TOO_DEEP = f"The JSON is nested more than {MAX_DEPTH} levels deep."


def _depth(value: Any) -> int:
    """How deeply `value` nests lists and objects, walked level by level (no recursion)."""
    depth, level = 0, [value]
    while containers := [item for item in level if isinstance(item, dict | list)]:
        depth += 1
        level = [
            child
            for container in containers
            for child in (container.values() if isinstance(container, dict) else container)
        ]
    return depth


class TextSafeJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        body = stream.read()
        try:
            data = super().parse(io.BytesIO(body), media_type, parser_context)
        except RecursionError:
            raise ParseError(TOO_DEEP) from None
        # A body with fewer brackets than the limit cannot nest deeper: no walk for it.
        if body.count(b"[") + body.count(b"{") > MAX_DEPTH and _depth(data) > MAX_DEPTH:
            raise ParseError(TOO_DEEP)
        problem = _invalid_text(data) if _SUSPECT_ESCAPE.search(body) else None
        if problem:
            raise ParseError(problem)
        return data
