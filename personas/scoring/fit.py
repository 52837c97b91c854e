"""Persona fit: compile personas once, then score leads against the best-matching one."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import compress
from numbers import Real
from typing import Any

from .criteria import CUSTOM_PREFIX, OPERATORS, Criterion, PersonaSpec


def _norm(v: object) -> Any:
    """Canonical, hashable form shared by lead and criterion values; None means 'missing'.

    Text is stripped and case-folded. Booleans become "true"/"false" so that True never
    equals 1 and a custom yes/no field matches whether it arrives as a bool or as text.
    """
    if isinstance(v, str):
        return v.strip().casefold() or None
    if v is None or type(v) is int:
        return v
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, Real):
        v = float(v)
        return v if v == v else None  # NaN is as good as missing
    return str(v).strip().casefold() or None


Check = Callable[[Any], bool]
_CACHE_LIMIT = 20_000  # entries per cache before it starts over: a few MB per field at most


def _make_check(c: Criterion) -> Check:
    """A predicate on the normalised lead value; every check is False for None (missing)."""
    op = c.operator
    if op in ("equals", "in", "not_in"):
        allowed = frozenset(_norm(v) for v in ([c.value] if op == "equals" else c.value))
        allowed -= {None}
        if op == "not_in":
            return lambda v: v is not None and v not in allowed
        return allowed.__contains__
    if op == "range":
        lo = -math.inf if c.value[0] is None else c.value[0]
        hi = math.inf if c.value[1] is None else c.value[1]

        def in_range(v: Any) -> bool:
            if isinstance(v, str):  # custom fields often arrive as text from forms
                try:
                    v = float(v)
                except ValueError:
                    return False
            return v is not None and lo <= v <= hi

        return in_range
    if op == "contains_any":
        words = sorted({_norm(str(k)) for k in c.value} - {None}, key=len, reverse=True)
        if not words:
            return lambda v: False
        # Lookarounds rather than \b so keywords such as "c++" still match at their edges.
        pattern = r"(?<!\w)(?:" + "|".join(map(re.escape, words)) + r")(?!\w)"
        search = re.compile(pattern).search
        return lambda v: isinstance(v, str) and search(v) is not None
    raise ValueError(f"Unknown operator {op!r}: use one of {', '.join(OPERATORS)}.")


def _custom_getter(fld: str) -> Callable[[Mapping[str, Any]], Any]:
    key = fld[len(CUSTOM_PREFIX) :]

    def get_custom(lead: Mapping[str, Any]) -> Any:
        custom = lead.get("custom")  # nested {"custom": {key: ...}} or flat "custom.key"
        if isinstance(custom, Mapping) and key in custom:
            return custom[key]
        return lead.get(fld)

    return get_custom


def _evaluator(checks: tuple[Check, ...]) -> Callable[[Any], tuple[bool, ...]]:
    return lambda v: tuple(check(v) for check in checks)


@dataclass(frozen=True)
class _CompiledPersona:
    id: int
    version: int
    name: str
    total: int
    weights: tuple[int, ...]  # aligned with the flattened per-field results, 0 where unused
    criteria: tuple[tuple[int, Criterion], ...]  # (result index, source), in persona order


@dataclass(frozen=True)
class CompiledPersonas:
    """Personas prepared for fast batch scoring.

    Values and keywords are normalised once. Per lead, each field is read and normalised
    once, and all the criteria on it (shared ones evaluated once) are answered by one lookup
    in a per-field cache of normalised value -> results, since leads repeat industries,
    countries, sizes and titles a lot; the whole result pattern then looks up the FitResult.
    The caches hold pure functions of their keys, so sharing this object between threads is
    safe. Personas are sorted by (id, version) so a strict ``>`` scan resolves score ties to
    the lowest id.
    """

    fields: tuple[str, ...]  # plain lead keys, then the custom fields' getters below
    custom_getters: tuple[Callable[[Mapping[str, Any]], Any], ...]
    evaluators: tuple[Callable[[Any], tuple[bool, ...]], ...]  # one per field, same order
    caches: tuple[dict[Any, tuple[bool, ...]], ...]
    personas: tuple[_CompiledPersona, ...]
    outcomes: dict[tuple[bool, ...], FitResult]  # all results of a lead -> its FitResult


def _check_key(c: Criterion) -> tuple[str, str, str]:
    return (c.field, c.operator, repr(c.value))


def compile_personas(personas: Iterable[PersonaSpec]) -> CompiledPersonas:
    ordered = sorted(personas, key=lambda p: (p.id, p.version))
    all_fields = list(dict.fromkeys(c.field for p in ordered for c in p.criteria))
    fields = [f for f in all_fields if not f.startswith(CUSTOM_PREFIX)]
    fields += [f for f in all_fields if f.startswith(CUSTOM_PREFIX)]
    unique: dict[tuple[str, str, str], Criterion] = {}
    for c in (c for p in ordered for c in p.criteria):
        unique.setdefault(_check_key(c), c)
    # Results are laid out field by field, matching the order the evaluators return them.
    keys = sorted(unique, key=lambda k: fields.index(k[0]))
    index = {k: i for i, k in enumerate(keys)}
    evaluators = tuple(
        _evaluator(tuple(_make_check(unique[k]) for k in keys if k[0] == f)) for f in fields
    )
    compiled = []
    for p in ordered:
        weights = [0] * len(keys)
        for c in p.criteria:
            weights[index[_check_key(c)]] += c.weight
        criteria = tuple((index[_check_key(c)], c) for c in p.criteria)
        total = sum(c.weight for c in p.criteria)
        compiled.append(_CompiledPersona(p.id, p.version, p.name, total, tuple(weights), criteria))
    plain = tuple(f for f in fields if not f.startswith(CUSTOM_PREFIX))
    getters = tuple(_custom_getter(f) for f in fields[len(plain) :])
    caches = tuple({} for _ in fields)
    return CompiledPersonas(plain, getters, evaluators, caches, tuple(compiled), {})


@dataclass(frozen=True)
class FitResult:
    """Best persona's fit. ``persona_*`` are None and matched/missed empty when score is 0."""

    score: int
    persona_id: int | None
    persona_version: int | None
    persona_name: str | None
    matched: tuple[dict[str, Any], ...]
    missed: tuple[dict[str, Any], ...]


_NO_FIT = FitResult(0, None, None, None, (), ())


def _best_fit(personas: tuple[_CompiledPersona, ...], results: tuple[bool, ...]) -> FitResult:
    best, best_score = None, 0
    for p in personas:
        if p.total:
            # Integer half-up rounding: exact, so float noise cannot break monotonicity.
            score = (200 * sum(compress(p.weights, results)) + p.total) // (2 * p.total)
            if score > best_score:
                best, best_score = p, score
    if best is None:
        return _NO_FIT
    hits: list[dict[str, Any]] = []
    misses: list[dict[str, Any]] = []
    for i, c in best.criteria:
        entry = {"field": c.field, "operator": c.operator, "weight": c.weight}
        (hits if results[i] else misses).append(entry)
    return FitResult(best_score, best.id, best.version, best.name, tuple(hits), tuple(misses))


def fit_score(
    lead: Mapping[str, Any], personas: Sequence[PersonaSpec] | CompiledPersonas
) -> FitResult:
    """Score = round(100 * matched weight / total weight) of the best persona (ties: lowest id).

    Monotone: raising a matched criterion's weight, or making a missed one match, never
    lowers the score. Pass a CompiledPersonas when scoring many leads; leads with the same
    outcome then share one FitResult, so treat it (and its dicts) as read-only.
    """
    compiled = personas if isinstance(personas, CompiledPersonas) else compile_personas(personas)
    raw = [*map(lead.get, compiled.fields), *(get(lead) for get in compiled.custom_getters)]
    results: list[bool] = []
    for v, cache, evaluate in zip(raw, compiled.caches, compiled.evaluators, strict=True):
        v = v.strip().casefold() or None if type(v) is str else _norm(v)
        found = cache.get(v)
        if found is None:
            if len(cache) >= _CACHE_LIMIT:
                cache.clear()
            found = cache[v] = evaluate(v)
        results += found
    key = tuple(results)
    fit = compiled.outcomes.get(key)
    if fit is None:
        if len(compiled.outcomes) >= _CACHE_LIMIT:
            compiled.outcomes.clear()
        fit = compiled.outcomes[key] = _best_fit(compiled.personas, key)
    return fit
