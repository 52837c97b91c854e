"""How a goal stands: volumes are met once reached, rates only at the end; behind the pace
is at risk."""

from decimal import Decimal

import pytest

from sla.goals.metrics import Kind
from sla.goals.status import goal_status

D = Decimal


@pytest.mark.parametrize(
    ("kind", "target", "actual", "expected", "ended", "status"),
    [
        (Kind.COUNT, D(100), D(100), D(40), False, "met"),  # reached early: met already
        (Kind.COUNT, D(100), D(40), D(40), False, "on_track"),  # exactly at the pace
        (Kind.COUNT, D(100), D(39), D(40), False, "at_risk"),  # one behind the pace
        (Kind.MONEY, D(5000), D(0), D(0), False, "on_track"),  # nothing expected yet
        (Kind.MONEY, D(5000), D("4999.99"), D(5000), True, "missed"),
        (Kind.MONEY, D(5000), D(5000), D(5000), True, "met"),
        (Kind.RATE, D("0.6"), D("0.9"), D("0.6"), False, "on_track"),  # a rate is never met early
        (Kind.RATE, D("0.6"), D("0.5"), D("0.6"), False, "at_risk"),
        (Kind.RATE, D("0.6"), None, D("0.6"), False, "on_track"),  # nothing decided yet
        (Kind.RATE, D("0.6"), D("0.6"), D("0.6"), True, "met"),
        (Kind.RATE, D("0.6"), D("0.59"), D("0.6"), True, "missed"),
        (Kind.RATE, D("0.6"), None, D("0.6"), True, "missed"),  # no hand-off decided at all
    ],
)
def test_a_goal_stands_by_its_kind_its_pace_and_whether_its_period_ended(
    kind, target, actual, expected, ended, status
):
    assert goal_status(kind=kind, target=target, actual=actual, expected=expected,
                       ended=ended) == status  # fmt: skip
