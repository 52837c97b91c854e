"""Replacing a person's values wherever a copy of them was written: text and JSON."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

PLACEHOLDER = "[erased]"
# Shorter values ("Al", "X") are only replaced where a whole value equals them: inside
# longer text they would match unrelated words.
MIN_SUBSTRING_LENGTH = 3


@dataclass(frozen=True)
class Redaction:
    """The personal values of one person and what stands in for each once erased.

    A JSON string that equals a value (ignoring case and surrounding spaces) becomes its
    stand-in, so `{"first_name": "Ada"}` reads `{"first_name": ""}` as the erased lead does;
    a value inside longer text becomes the stand-in for text (`[erased]`, or the placeholder
    address for the e-mail address).
    """

    whole: dict[str, str]  # casefolded value -> stand-in for a whole value
    inside: dict[str, str]  # casefolded value -> stand-in inside text
    # A JSON object that holds the e-mail address is the person's record (a lead in an event
    # or an API answer): these keys of it are replaced whatever they hold (custom fields).
    record_fields: dict[str, Any] = field(default_factory=dict)
    email: str = ""
    _pattern: re.Pattern | None = field(default=None, compare=False, repr=False)

    @classmethod
    def of(
        cls,
        *,
        email: str,
        erased_email: str,
        values: list[str],
        record_fields: dict[str, Any] | None = None,
    ) -> Redaction:
        """`email` becomes `erased_email`; every other value becomes empty / `[erased]`."""
        whole, inside = {}, {}
        for value in values:
            key = (value or "").strip().casefold()
            if key:
                whole[key] = ""
                if len(key) >= MIN_SUBSTRING_LENGTH:
                    inside[key] = PLACEHOLDER
        key = email.strip().casefold()
        if key:
            whole[key] = inside[key] = erased_email
        # Longest first: "Ada Lovelace" goes before "Ada".
        alternatives = sorted(inside, key=len, reverse=True)
        pattern = (
            re.compile("|".join(re.escape(a) for a in alternatives), re.IGNORECASE)
            if alternatives
            else None
        )
        return cls(
            whole=whole,
            inside=inside,
            record_fields=record_fields or {},
            email=key,
            _pattern=pattern,
        )

    @property
    def needles(self) -> list[str]:
        """The values a search for this person's data looks for."""
        return list(self.whole)

    def mentions(self, text: str) -> bool:
        return bool(self._pattern and self._pattern.search(text or ""))

    def text(self, value: str) -> str:
        if not value or self._pattern is None:
            return value
        return self._pattern.sub(
            lambda match: self.inside.get(match.group(0).casefold(), PLACEHOLDER), value
        )

    def json(self, value: Any) -> Any:
        """A copy of the JSON value with every personal value replaced (keys too)."""
        if isinstance(value, str):
            key = value.strip().casefold()
            return self.whole[key] if key in self.whole else self.text(value)
        if isinstance(value, list):
            return [self.json(item) for item in value]
        if isinstance(value, dict):
            redacted = {self.text(k): self.json(v) for k, v in value.items()}
            if self._is_record(value):
                redacted.update(
                    {k: stand_in for k, stand_in in self.record_fields.items() if k in value}
                )
            return redacted
        return value

    def _is_record(self, value: dict) -> bool:
        return bool(self.email) and any(
            isinstance(v, str) and v.strip().casefold() == self.email for v in value.values()
        )
