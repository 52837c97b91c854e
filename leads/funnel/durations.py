"""How the funnel measures time in a stage: durations kept as counts per bucket.

A median or p90 cannot be summed from per-day figures, and keeping every duration of every
day would make a quarter's read as long as reading the raw history. So a step's duration
counts in whole minutes, and from 64 minutes on in buckets of 32 per doubling (the minutes'
top six bits): a bucket is at most 1/32 of its lower edge wide, and every duration in it
is taken at the bucket's middle, so a reported time is within 1.6% of the exact one. Both
the stored daily rollups and the raw history go through `bucket_of` (in Python) or
`bucket_sql` (the same integer arithmetic in PostgreSQL), so a period's times are the same
whichever rows they are read from; the median and p90 interpolate between ranks as
PostgreSQL's `percentile_cont` does, over the buckets' middles.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from datetime import timedelta

SIGNIFICANT_BITS = 6
_EXACT_BELOW = 1 << SIGNIFICANT_BITS  # minutes under 64 are their own bucket
_MINUTE = timedelta(minutes=1)

# `m` is the whole minutes of the step (never below 0); a bucket is `m` with its bits under
# the top five cleared. The bit length of `m` comes from its 64-bit string: exact integer
# arithmetic, no floating-point logarithm that could round across a power of two.
_MINUTES_SQL = "GREATEST(0, FLOOR(EXTRACT(EPOCH FROM ({at} - {started})) / 60))::bigint"
_BIT_LENGTH_SQL = "length(ltrim(({m})::bit(64)::text, '0'))"


def bucket_sql(at: str, started: str) -> str:
    """The SQL of `bucket_of` for the duration between two timestamp columns."""
    m = _MINUTES_SQL.format(at=at, started=started)
    shift = f"({_BIT_LENGTH_SQL.format(m=m)} - {SIGNIFICANT_BITS})"
    return f"(CASE WHEN {m} < {_EXACT_BELOW} THEN {m} ELSE ({m} >> {shift}) << {shift} END)"


def minutes_of(duration: timedelta) -> int:
    """Whole minutes, floored (exact: timedelta division is integer arithmetic)."""
    return max(0, duration // _MINUTE)


def bucket_of(minutes: int) -> int:
    """The lower edge, in minutes, of the bucket holding `minutes`."""
    if minutes < _EXACT_BELOW:
        return minutes
    shift = minutes.bit_length() - SIGNIFICANT_BITS
    return (minutes >> shift) << shift


def bucket_middle_hours(bucket: int) -> float:
    """The duration a bucket stands for: its middle, in hours."""
    width = 1 if bucket < _EXACT_BELOW else 1 << (bucket.bit_length() - SIGNIFICANT_BITS)
    return (bucket + width / 2) / 60


def median_and_p90(histogram: Mapping[int, int]) -> tuple[float | None, float | None]:
    """Median and p90 in hours of the durations a histogram counts (bucket -> count), with
    linear interpolation between the closest ranks, as `percentile_cont`; rounded to 0.01."""
    total = sum(histogram.values())
    if not total:
        return None, None
    ordered = sorted((bucket, count) for bucket, count in histogram.items() if count)
    return _at_fraction(ordered, total, 0.5), _at_fraction(ordered, total, 0.9)


def _at_fraction(ordered: list[tuple[int, int]], total: int, fraction: float) -> float:
    rank = fraction * (total - 1)  # 0-based, as percentile_cont
    low_rank = int(rank)
    low = _value_at(ordered, low_rank)
    high = _value_at(ordered, min(low_rank + 1, total - 1))
    return round(low + (high - low) * (rank - low_rank), 2)


def _value_at(ordered: list[tuple[int, int]], rank: int) -> float:
    seen = 0
    for bucket, count in ordered:
        seen += count
        if rank < seen:
            return bucket_middle_hours(bucket)
    raise IndexError(rank)


def merged(histograms: Iterable[Mapping[int, int]]) -> Counter:
    total: Counter = Counter()
    for histogram in histograms:
        total.update(histogram)
    return total


def pairs(histogram: Mapping[int, int]) -> list[int]:
    """A histogram as stored: `[bucket, count, bucket, count, …]` (a JSON list decodes
    faster than an object with string keys)."""
    flat: list[int] = []
    for bucket in sorted(histogram):
        if histogram[bucket]:
            flat += [bucket, histogram[bucket]]
    return flat


def from_pairs(flat: list[int]) -> dict[int, int]:
    return dict(zip(flat[::2], flat[1::2], strict=True))
