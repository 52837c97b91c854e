"""How marketing's commitments are judged: which version answers for a month, and when a
term is at risk or missed. Pure rules on figures already counted (`leads.funnel`); the
sweep (`sla.services.shortfalls`) counts, asks these, and records what they find.

- **Which version judges.** A month still running is paced under the version in force
  now. A month that ended is judged, once, under the version that was in force at its last
  instant, for the whole month and with that version's monthly targets: a version
  activated on the 20th answers for the month's first days too, and a version retired
  before the month ended judges nothing of it. At-risk findings made under an earlier
  version stay recorded under that version.
- **Pace** (MQLs, SQL hand-offs): once `pacing_min_elapsed` of the month's business time
  has passed, a volume below the target prorated by business time (`sla.pacing`) by more
  than `pacing_tolerance` is at risk.
- **Close**: a volume below its monthly target is missed; the acceptance rate is missed
  when it is below the minimum and sales decided at least `acceptance_min_decided`
  hand-offs in the month (fewer decisions say nothing about quality).

A target of 0 (and a minimum rate of 0) is no commitment: it is never judged.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db.models import Q

from leads.funnel.figures import FlowFigures
from sla.models import ShortfallStatus, ShortfallTerm, SlaStatus, SlaVersion

_PLACES = Decimal("0.001")


@dataclass(frozen=True)
class Finding:
    term: str
    status: str
    target: Decimal
    actual: Decimal
    expected: Decimal | None = None
    decided: int | None = None
    elapsed_share: Decimal | None = None


def _d(value: float | int | Decimal) -> Decimal:
    return Decimal(str(value)).quantize(_PLACES)


def volume_targets(version: SlaVersion) -> dict[str, int]:
    """The monthly volumes the version commits marketing to (0: no commitment)."""
    targets = {
        ShortfallTerm.MQLS: version.monthly_mql_target,
        ShortfallTerm.SQL_HANDOFFS: version.monthly_sql_target,
    }
    return {term: target for term, target in targets.items() if target > 0}


def judges_anything(version: SlaVersion) -> bool:
    return bool(volume_targets(version)) or version.min_acceptance_rate > 0


def version_in_force_at(instant: datetime) -> SlaVersion | None:
    """The version of the current tenant scope that was in force at `instant` (activated
    before it, not retired by then)."""
    return (
        SlaVersion.objects.filter(
            status__in=[SlaStatus.ACTIVE, SlaStatus.RETIRED], activated_at__lt=instant
        )
        .filter(Q(retired_at__isnull=True) | Q(retired_at__gte=instant))
        .order_by("-activated_at")
        .first()
    )


def pace_findings(version: SlaVersion, figures: FlowFigures, *, share: float) -> list[Finding]:
    """Volumes behind their pace at `share` of the month's business time."""
    if share < float(version.pacing_min_elapsed):
        return []
    slack = 1 - float(version.pacing_tolerance)
    found = []
    for term, target in volume_targets(version).items():
        actual = getattr(figures, term)
        expected = target * share
        if actual < expected * slack:
            found.append(Finding(term=term, status=ShortfallStatus.AT_RISK, target=_d(target),
                                 actual=_d(actual), expected=_d(expected),
                                 elapsed_share=_d(share)))  # fmt: skip
    return found


def close_findings(version: SlaVersion, figures: FlowFigures) -> list[Finding]:
    """Terms not met by a month that ended."""
    found = [
        Finding(term=term, status=ShortfallStatus.MISSED, target=_d(target),
                actual=_d(getattr(figures, term)))
        for term, target in volume_targets(version).items()
        if getattr(figures, term) < target
    ]  # fmt: skip
    minimum, decided = version.min_acceptance_rate, figures.decided
    judged = minimum > 0 and decided >= version.acceptance_min_decided
    # Compared exactly (accepted < minimum * decided), not on the rounded rate.
    if judged and Decimal(figures.accepted) < minimum * decided:
        found.append(Finding(term=ShortfallTerm.ACCEPTANCE_RATE, status=ShortfallStatus.MISSED,
                             target=_d(minimum), actual=_d(figures.accepted / decided),
                             decided=decided))  # fmt: skip
    return found
