"""Scores on leads: computed by `personas.scoring`, written set-based, announced as
`lead.scored`.

Engagement is kept incrementally: `Lead.engagement_raw` holds the decayed points as of
`Lead.engagement_at`, split by event type in `score_breakdown["engagement_points"]`. Since
all points halve at the same rate, decaying the stored points to now and adding the new
events' decayed weights gives what a recount of every event would give, without reading
the history.

Writes are optimistic on PostgreSQL: a row is only written if it still is the version that
was read, and rows that changed meanwhile are read and scored again, the last attempt under
a row lock. So a background re-score never overwrites the points of an event that arrived
while it was computing, and nobody holds locks while Python computes.
"""

from __future__ import annotations

import itertools
import json
import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from leads.models import Lead, LeadEvent
from personas.scoring import (
    CUSTOM_PREFIX,
    CompiledPersonas,
    EngagementConfig,
    EngagementResult,
    FitResult,
    ScoreWeights,
    blend,
    compile_personas,
    decay_raw,
    engagement_from_points,
    fit_score,
    score_breakdown,
)
from personas.selectors import scoring_inputs_of
from personas.services.score_store import (
    COLUMN,
    CUSTOM,
    POINTS,
    Scored,
    ScoredLeads,
    rows_of,
    scores_apply,
    scoring_rows,
    write_scores,
)
from smarketing.events import publish_many
from smarketing.tenancy.configuration import kept_for_tenant

# Below this many points a lead's engagement is over: its score shows 0 long before, and
# zeroing it takes the lead out of the decay sweep's work.
RAW_FLOOR = 1e-3
# Events older than this many half-lives add less than a millionth of a point each.
EVENT_HORIZON_HALF_LIVES = 20
MAX_ATTEMPTS = 4
_SECONDS_PER_DAY = 86400.0
_NO_ENGAGEMENT = EngagementResult(0, 0.0, {})
_FRAGMENT_CACHE_LIMIT = 20_000
_fragment_keys = itertools.count(1)
_ID, _RAW, _AT = COLUMN["id"], COLUMN["engagement_raw"], COLUMN["engagement_at"]
SCORING_INPUTS = "scoring_inputs"  # the name its answer is kept under
_PROFILE = tuple((name, COLUMN[name]) for name in ("industry", "company_size", "country",
                                                    "title", "company"))  # fmt: skip


@dataclass(frozen=True)
class ScoringContext:
    """What a tenant scores with: its approved personas, compiled once, and its settings."""

    personas: CompiledPersonas
    engagement: EngagementConfig
    weights: ScoreWeights
    uses_custom_fields: bool = False
    # The fit part of breakdowns as JSON, per FitResult (leads with one outcome share it),
    # numbered so that a batch's write can send each part once.
    _fragments: dict[int, tuple[FitResult, tuple[int, str]]] = field(
        default_factory=dict, repr=False
    )

    def fit_fragment(self, fit: FitResult) -> tuple[int, str]:
        found = self._fragments.get(id(fit))
        if found is None:
            # A bound on memory: one entry more or less changes no breakdown.
            if len(self._fragments) >= _FRAGMENT_CACHE_LIMIT:  # pragma: no mutate
                self._fragments.clear()
            # The score and engagement given here are not part of the fit part.
            part = score_breakdown(fit, _NO_ENGAGEMENT, 0, self.weights)  # pragma: no mutate
            text = json.dumps({"persona": part["persona"], "criteria": part["criteria"],
                               "weights": part["weights"]})  # fmt: skip
            key = next(_fragment_keys)
            found = self._fragments[id(fit)] = (fit, (key, text))  # `fit` held: its id stays
        return found[1]


def scoring_context_for(*, tenant_id: int) -> ScoringContext:
    # Read for every scored upsert, changed a few times a month: kept per process until a
    # persona or the settings change (smarketing.tenancy.configuration).
    engagement, weights, specs = kept_for_tenant(
        SCORING_INPUTS, tenant_id=tenant_id, load=lambda: scoring_inputs_of(tenant_id=tenant_id)
    )
    return ScoringContext(
        personas=compile_personas(specs),
        engagement=engagement,
        weights=weights,
        uses_custom_fields=any(
            c.field.startswith(CUSTOM_PREFIX) for spec in specs for c in spec.criteria
        ),
    )


@dataclass
class ScoreOutcome:
    written: int = 0
    rescored: int = 0  # leads whose score changed (and were announced)


def _decayed_points(row: tuple, now: datetime, half_life: float) -> dict[str, float]:
    # Rows of leads without points carry none (`scoring_rows`, `rows_of`): `{"other": 0.0}`
    # below, which keeps nothing.
    stored = json.loads(row[POINTS]) if row[POINTS] else None
    if not isinstance(stored, dict) or not stored:
        stored = {"other": row[_RAW]}  # points kept before they were split by type
    at = row[_AT]
    if at is None:
        return {kind: float(p) for kind, p in stored.items() if p > 0}
    elapsed = (now - at).total_seconds() / _SECONDS_PER_DAY
    return {kind: decay_raw(p, elapsed, half_life) for kind, p in stored.items() if p > 0}


def event_points(
    lead_ids: list[int], config: EngagementConfig, now: datetime
) -> dict[int, dict[str, float]]:
    """Decayed points per lead and type, recounted from the events (after a weight change)."""
    horizon = now - timedelta(days=config.half_life_days * EVENT_HORIZON_HALF_LIVES)
    terms: dict[int, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    rows = LeadEvent.objects.filter(lead_id__in=lead_ids, occurred_at__gte=horizon).values_list(
        "lead_id", "type", "occurred_at"
    )
    for lead_id, kind, at in rows.iterator(chunk_size=5000):  # pragma: no mutate (fetch size)
        weight = config.weights.get(kind, 0.0)
        if weight > 0:
            age = (now - at).total_seconds() / _SECONDS_PER_DAY
            terms[lead_id][kind].append(decay_raw(weight, age, config.half_life_days))
    return {
        lead_id: {kind: math.fsum(ts) for kind, ts in by_kind.items()}
        for lead_id, by_kind in terms.items()
    }


def _score(row: tuple, ctx: ScoringContext, now: datetime, points: dict[str, float]) -> Scored:
    """One lead's scores, and its breakdown in parts (see `Scored`)."""
    raw = math.fsum(points.values())
    zeroed = False
    if raw < RAW_FLOOR:
        # `>= 0` alike: only the decay sweep asks, and it reads leads with points only.
        zeroed = row[_RAW] > 0  # pragma: no mutate
        points, raw = {}, 0.0
    eng = engagement_from_points(points, ctx.engagement.saturation) if points else _NO_ENGAGEMENT
    profile = {name: row[index] for name, index in _PROFILE}
    if ctx.uses_custom_fields:  # then the row carries them (a JSON object, never null)
        profile["custom"] = json.loads(row[CUSTOM])
    fit = fit_score(profile, ctx.personas)
    score = blend(fit.score, eng.score, ctx.weights)
    return Scored(
        row, score=score, fit=fit.score, eng=eng.score, raw=eng.raw, at=now,
        persona_id=fit.persona_id, persona_version=fit.persona_version, zeroed=zeroed,
        fragment=ctx.fit_fragment(fit),
        contributions=json.dumps(eng.contributions) if eng.contributions else "{}",
        points=json.dumps(points) if points else "{}",
    )  # fmt: skip


def score_rows(
    rows: list[tuple],
    ctx: ScoringContext,
    now: datetime,
    *,
    added: dict[int, list[tuple[str, datetime]]] | None = None,
    recounted: dict[int, dict[str, float]] | None = None,
) -> list[Scored]:
    """Score rows in memory. Engagement: the stored points decayed to `now`, plus the
    `added` events' decayed weights; or, given `recounted` points (from `event_points`),
    those instead."""
    half_life, weights = ctx.engagement.half_life_days, ctx.engagement.weights
    scored = []
    for row in rows:
        if recounted is not None:
            points = recounted.get(row[_ID], {})
        else:
            points = _decayed_points(row, now, half_life)
            # Every row scored with `added` is one of its leads.
            for kind, at in added[row[_ID]] if added else ():
                weight = weights.get(kind, 0.0)
                if weight > 0:
                    age = (now - at).total_seconds() / _SECONDS_PER_DAY
                    points[kind] = points.get(kind, 0.0) + decay_raw(weight, age, half_life)
        scored.append(_score(row, ctx, now, points))
    return scored


def settle(
    *,
    tenant_id: int,
    ctx: ScoringContext,
    now: datetime,
    pending: list[Scored],
    written: set[int],
    added: dict[int, list[tuple[str, datetime]]] | None = None,
    recompute_engagement: bool = False,
    only_changed: bool = False,
    held: dict[int, Lead] | None = None,
) -> ScoreOutcome:
    """After a batch was written: score again the rows someone changed since they were read
    (the last attempt under a row lock), then publish `lead.scored` for the leads whose
    score changed. Runs in the batch's transaction."""
    outcome = ScoreOutcome(written=len(written))
    announced = [s for s in pending if s.id in written and s.score != s.previous_score]
    missed = [s.id for s in pending if s.id not in written]
    for attempt in range(2, MAX_ATTEMPTS + 1):
        if not missed:
            break
        rows = scoring_rows(Lead.objects.filter(pk__in=missed), lock=attempt == MAX_ATTEMPTS,
                            custom_fields=ctx.uses_custom_fields)  # fmt: skip
        recounted = event_points(missed, ctx.engagement, now) if recompute_engagement else None
        scored = score_rows(rows, ctx, now, added=added, recounted=recounted)
        if only_changed:
            scored = [s for s in scored if s.shows_change()]
        again = write_scores(scored)
        outcome.written += len(again)
        announced += [s for s in scored if s.id in again and s.score != s.previous_score]
        missed = [s.id for s in scored if s.id not in again]
    outcome.rescored = len(announced)
    if held:
        for s in pending:
            if s.id in held and s.id in written:
                scores_apply(held[s.id], s)
    publish_many(
        "lead.scored",
        tenant=tenant_id,
        items=[
            {"lead_id": s.id, "score": s.score, "previous_score": s.previous_score}
            for s in announced
        ],
        leads=ScoredLeads(tenant_id, [s.id for s in announced], held=held),
    )
    return outcome


def leads_score(
    *,
    tenant_id: int,
    rows: list[tuple],
    ctx: ScoringContext,
    now: datetime | None = None,
    added: dict[int, list[tuple[str, datetime]]] | None = None,
    only_changed: bool = False,
    held: dict[int, Lead] | None = None,
) -> ScoreOutcome:
    """Score leads (`rows` from `scoring_rows`), write them, publish `lead.scored`.

    `ctx` is what the tenant scores with (`scoring_context_for`). `added` are new events per
    lead id whose decayed weights join the lead's points; `only_changed` writes only leads
    whose visible scores or persona change (the decay sweep). `held`: instances of some of
    them that this transaction holds (see `leads_rescore`); they get their new scores too,
    and `lead.scored` handlers get them rather than a read.
    """
    now = now or timezone.now()
    # Inside the caller's transaction no savepoint: a failure here fails the caller's work.
    # (`savepoint=None` is the same to Django as False.)
    with transaction.atomic(savepoint=False):  # pragma: no mutate
        scored = score_rows(rows, ctx, now, added=added)
        if only_changed:
            scored = [s for s in scored if s.shows_change()]
        return settle(
            tenant_id=tenant_id, ctx=ctx, now=now, pending=scored, written=write_scores(scored),
            added=added, only_changed=only_changed, held=held,
        )  # fmt: skip


def _has_scores(lead: Lead) -> bool:
    return bool(lead.engagement_raw > 0 or lead.score > 0 or lead.fit_score > 0
                or lead.persona_id is not None)  # fmt: skip


def leads_rescore(
    *,
    tenant_id: int,
    lead_ids: Iterable[int],
    new_ids: Iterable[int] = (),
    written: Iterable[Lead] = (),
) -> ScoreOutcome:
    """Re-score these leads now: their profile (fit) changed, engagement decays to now.

    `new_ids`: those of them created just now, so with no score and no engagement yet.
    `written`: some of them as this transaction has just written them (see `rows_of`);
    those are not read again.
    """
    ids = sorted(set(lead_ids))
    if not ids:
        return ScoreOutcome()
    ctx = scoring_context_for(tenant_id=tenant_id)
    # Whether any persona is approved (its criteria may all be on custom fields).
    no_persona = not ctx.personas.personas
    if no_persona:
        # Without an approved persona a new lead's score stays 0: nothing to read or write.
        ids = sorted(set(ids) - set(new_ids))
        if not ids:
            return ScoreOutcome()
    known = [lead for lead in written if lead.pk in set(ids)]
    if no_persona:
        known = [lead for lead in known if _has_scores(lead)]
    rest = sorted(set(ids) - {lead.pk for lead in written})
    rows = rows_of(known)
    if rest:
        leads = Lead.objects.filter(pk__in=rest)
        if no_persona:
            # No approved persona: fit is 0 for everyone, so a lead with nothing scored and
            # no engagement stays at 0 and is not read or written (a fresh import skips
            # scoring).
            leads = leads.filter(
                Q(engagement_raw__gt=0) | Q(score__gt=0) | Q(fit_score__gt=0)
                | Q(persona_id__isnull=False)
            )  # fmt: skip
        rows = sorted(rows + scoring_rows(leads, custom_fields=ctx.uses_custom_fields),
                      key=lambda row: row[_ID])  # fmt: skip
    if not rows:
        return ScoreOutcome()
    return leads_score(tenant_id=tenant_id, rows=rows, ctx=ctx,
                       held={lead.pk: lead for lead in known})  # fmt: skip


def leads_engagement_add(
    *, tenant_id: int, events_by_lead: dict[int, list[tuple[str, datetime]]]
) -> ScoreOutcome:
    """Add new events' decayed weights to their leads' points and re-score those leads."""
    if not events_by_lead:
        return ScoreOutcome()
    ctx = scoring_context_for(tenant_id=tenant_id)
    rows = scoring_rows(Lead.objects.filter(pk__in=sorted(events_by_lead)),
                        custom_fields=ctx.uses_custom_fields)  # fmt: skip
    return leads_score(tenant_id=tenant_id, rows=rows, ctx=ctx, added=events_by_lead)
