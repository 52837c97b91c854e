"""Number helpers shared by the scoring parts."""

from __future__ import annotations

import math
from numbers import Real


def is_finite_number(x: object) -> bool:
    """True for real, finite numbers; bools are rejected although Python counts them as ints."""
    return isinstance(x, Real) and not isinstance(x, bool) and math.isfinite(x)


def round_half_up(x: float) -> int:
    # Python's round() is banker's rounding; half-up is what people expect of a 0..100 score.
    return math.floor(x + 0.5)
