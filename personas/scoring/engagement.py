"""Engagement: event points that halve every half-life, saturated into 0..100."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from ._numeric import is_finite_number as _is_number
from ._numeric import round_half_up as _round_half_up

_SECONDS_PER_DAY = 86400.0


@dataclass(frozen=True)
class EngagementConfig:
    """Event weights (points when fresh), half-life of those points, and saturation scale.

    Why saturate: summed linearly, 1,000 page views would be worth 1,000 points against a
    webinar's 15, and such a lead would dwarf one that booked a webinar. Through
    ``100 * (1 - exp(-raw / saturation))`` the first points count most and no amount of
    activity gets past 100, while more activity still never scores less (the curve is
    monotone). Raw points equal to ``saturation`` give 63; twice it, 86.
    """

    weights: Mapping[str, float]
    half_life_days: float
    saturation: float

    def __post_init__(self) -> None:
        if not all(_is_number(w) and w >= 0 for w in self.weights.values()):
            raise ValueError("Engagement weights must be finite numbers of at least 0.")
        if not (_is_number(self.half_life_days) and self.half_life_days > 0):
            raise ValueError("The half-life must be a positive number of days.")
        if not (_is_number(self.saturation) and self.saturation > 0):
            raise ValueError("The saturation must be a positive number.")

    @classmethod
    def default(cls) -> EngagementConfig:
        # A fresh webinar alone gives 39; sales touches count, but less than the lead's own
        # initiative: a rep's email says little about the lead's interest.
        weights = {
            "page_view": 1.0,
            "email_open": 1.0,
            "email_click": 3.0,
            "download": 6.0,
            "form_submit": 10.0,
            "webinar": 15.0,
            "call": 3.0,
            "email": 1.0,
            "meeting": 6.0,
        }
        return cls(weights=weights, half_life_days=14.0, saturation=30.0)


@dataclass(frozen=True)
class EngagementResult:
    """``raw`` is the decayed point total (store it for incremental updates); ``contributions``
    splits ``score`` by event type in score points (1 decimal), largest first."""

    score: int
    raw: float
    contributions: dict[str, float]


def decay_raw(raw: float, elapsed_days: float, half_life_days: float) -> float:
    """Decay stored raw points by ``elapsed_days`` (clock skew below 0 counts as 0).

    ``decay_raw(raw_then, dt, h) + weight`` equals recomputing from all events, so a raw
    value stored on the lead can be updated per event without re-reading history.
    """
    if not half_life_days > 0:
        raise ValueError("The half-life must be a positive number of days.")
    return raw * 0.5 ** (max(elapsed_days, 0.0) / half_life_days)


def saturate(raw: float, saturation: float) -> int:
    """Map raw points (>= 0) to 0..100; monotone, and 100 only once rounding reaches it."""
    return min(100, max(0, _round_half_up(-100.0 * math.expm1(-max(raw, 0.0) / saturation))))


def engagement_score(
    events: Iterable[tuple[str, datetime]], now: datetime, config: EngagementConfig | None = None
) -> EngagementResult:
    """Each event adds ``weight * 0.5 ** (age_days / half_life)``; future events are age 0.

    Unknown event types weigh 0. Adding an event never lowers the score; neither does a later
    ``now`` raise it. Events and ``now`` must both be naive or both be aware.
    """
    config = config or EngagementConfig.default()
    terms: list[float] = []
    by_type: dict[str, list[float]] = {}
    for kind, at in events:
        weight = config.weights.get(kind, 0.0)
        if weight > 0:
            age_days = (now - at).total_seconds() / _SECONDS_PER_DAY
            term = decay_raw(weight, age_days, config.half_life_days)
            terms.append(term)
            by_type.setdefault(kind, []).append(term)
    # fsum is correctly rounded, so an extra non-negative term can never lower the total.
    raw = math.fsum(terms)
    return _result(raw, {kind: math.fsum(ts) for kind, ts in by_type.items()}, config.saturation)


def engagement_from_points(points: Mapping[str, float], saturation: float) -> EngagementResult:
    """Engagement of decayed points per event type, as a lead keeps them between events.

    Points decayed with ``decay_raw`` and topped up per event give the score and the
    contributions that ``engagement_score`` gives over all the events (up to float rounding).
    """
    if not (_is_number(saturation) and saturation > 0):
        raise ValueError("The saturation must be a positive number.")
    kept = {kind: p for kind, p in points.items() if _is_number(p) and p > 0}
    return _result(math.fsum(kept.values()), kept, saturation)


def _result(raw: float, by_type: Mapping[str, float], saturation: float) -> EngagementResult:
    if raw <= 0:
        return EngagementResult(0, 0.0, {})
    exact = -100.0 * math.expm1(-raw / saturation)
    shares = {kind: round(exact * points / raw, 1) for kind, points in by_type.items()}
    ordered = dict(sorted(shares.items(), key=lambda kv: (-kv[1], kv[0])))
    return EngagementResult(saturate(raw, saturation), raw, ordered)
