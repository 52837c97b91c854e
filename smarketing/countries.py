"""ISO 3166 alpha-2 country codes, read from the tzdata package (no extra dependency)."""

from functools import cache
from importlib import resources


@cache
def country_names() -> dict[str, str]:
    text = resources.files("tzdata.zoneinfo").joinpath("iso3166.tab").read_text(encoding="utf-8")
    pairs = (line.split("\t", 1) for line in text.splitlines() if line and not line.startswith("#"))
    return {code.strip(): name.strip() for code, name in pairs}


def is_country_code(value: str) -> bool:
    return value in country_names()
