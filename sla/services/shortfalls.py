"""Marketing's commitments enforced: the sweep that paces the running month and closes the
month that ended, recording each shortfall once (rules: `sla.judging`).

Exactly once, whatever the number of workers or re-runs: a shortfall row goes in by
`INSERT … ON CONFLICT DO NOTHING RETURNING id` against its unique (tenant, version, period,
term, status), and only the transaction whose row went in publishes its event (outbox,
same transaction). A month is closed by the first sweep that inserts its `ClosedPeriod`
row; a racing sweep's insert waits for that one's commit, then finds the row and judges
nothing. The figures are counted before, outside any lock: transitions are recorded at
the time they happen, so an ended month's figures no longer change.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from leads.funnel.figures import FlowFigures, flow_figures
from sla import judging, selectors
from sla.models import ClosedPeriod, Shortfall, ShortfallStatus, SlaStatus, SlaVersion
from sla.pacing import business_share_elapsed
from sla.payloads import shortfall_payload
from smarketing.db import insert_if_absent
from smarketing.events import publish_many
from smarketing.periods import Period, current_month
from smarketing.tenancy.models import Tenant
from smarketing.tenancy.scope import cross_tenant_scope, tenant_scope

EVENT_TYPES = {
    ShortfallStatus.AT_RISK: "sla.marketing_at_risk",
    ShortfallStatus.MISSED: "sla.marketing_missed",
}


@dataclass
class ShortfallCounts:
    at_risk: int = 0
    missed: int = 0
    closed: int = 0

    def add(self, other: ShortfallCounts) -> None:
        self.at_risk += other.at_risk
        self.missed += other.missed
        self.closed += other.closed

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


def _record(
    *, tenant_id: int, version: SlaVersion, period: Period, findings: list, now: datetime
) -> ShortfallCounts:
    """Insert each finding if absent; announce the ones this call inserted. The caller
    holds the transaction."""
    counts = ShortfallCounts()
    recorded: dict[str, list[dict[str, Any]]] = {}
    notify = None
    for finding in findings:
        values = {"tenant_id": tenant_id, "version_id": version.pk, "period": period.label,
                  "period_start": period.first_day, **asdict(finding),
                  "recorded_at": now}  # fmt: skip
        pk = insert_if_absent(Shortfall, values)
        if pk is None:
            continue  # recorded before, by this sweep's last run or a racing one
        if notify is None:
            notify = selectors.marketing_and_managers(tenant_id=tenant_id)
        shortfall = Shortfall(pk=pk, **values)
        shortfall.version = version
        recorded.setdefault(finding.status, []).append(
            {**shortfall_payload(shortfall, tz_name=period.tz_name), "notify": notify}
        )
        setattr(counts, finding.status, getattr(counts, finding.status) + 1)
    for status, items in recorded.items():
        publish_many(EVENT_TYPES[status], tenant=tenant_id, items=items)
    return counts


def _judged_figures(figures: FlowFigures) -> dict[str, Any]:
    """What marketing's terms are judged on (the funnel's counts, no amounts)."""
    names = ("mqls", "sql_handoffs", "accepted", "rejected", "went_cold")
    return {**{name: getattr(figures, name) for name in names},
            "acceptance_rate": figures.acceptance_rate}  # fmt: skip


def _close(tenant_id: int, period: Period, *, now: datetime, pause: float) -> ShortfallCounts:
    """Judge `period` (ended) once, under the version in force at its end. The caller
    read the closed months already; one closed since then is found by its insert."""
    version = judging.version_in_force_at(period.end)
    if version is None:
        return ShortfallCounts()  # no SLA was in force: nothing was promised
    figures = flow_figures(period)
    with transaction.atomic():
        closed = insert_if_absent(ClosedPeriod, {
            "tenant_id": tenant_id, "version_id": version.pk, "period": period.label,
            "closed_at": now, "figures": _judged_figures(figures),
        })  # fmt: skip
        if closed is None:
            return ShortfallCounts()  # a racing sweep closed it
        counts = _record(tenant_id=tenant_id, version=version, period=period, now=now,
                         findings=judging.close_findings(version, figures))  # fmt: skip
        _hold(pause)
    counts.closed = 1
    return counts


def _pace(
    tenant_id: int,
    period: Period,
    version: SlaVersion,
    open_terms: set[str],
    *,
    now: datetime,
    pause: float,
) -> ShortfallCounts:
    """Record the running month's volumes (`open_terms`: not at risk yet) that fell behind
    their pace under `version`, the one in force."""
    share = business_share_elapsed(period, now=now, calendar=version.business_calendar())
    if share < float(version.pacing_min_elapsed):
        return ShortfallCounts()  # too early in the month to call a trend (no count needed)
    findings = [
        finding
        for finding in judging.pace_findings(version, flow_figures(period), share=share)
        if finding.term in open_terms
    ]
    if not findings:
        return ShortfallCounts()
    with transaction.atomic():
        counts = _record(tenant_id=tenant_id, version=version, period=period,
                         findings=findings, now=now)  # fmt: skip
        _hold(pause)
        return counts


def _hold(pause: float) -> None:
    if pause:
        time.sleep(pause)


def marketing_shortfalls_sweep(
    *, now: datetime | None = None, tenant_id: int | None = None, pause_seconds: float = 0.0
) -> ShortfallCounts:
    """Close last month (the first sweep after it ended) and pace this month, for every
    tenant that has had an SLA in force (or for one). Months are the tenant's calendar
    months in the tenant's timezone.

    `pause_seconds` holds each write transaction open that long before it commits; it
    exists to widen the window in which tests run sweeps side by side.
    """
    now = now or timezone.now()
    # What is settled already is read for every tenant at once (three queries), so a minute
    # in which nothing is left to judge costs no query per tenant.
    with cross_tenant_scope():
        tenants = Tenant.objects.filter(
            pk__in=SlaVersion.all_tenants.filter(
                status__in=[SlaStatus.ACTIVE, SlaStatus.RETIRED]
            ).values("tenant_id")
        ).order_by("pk")
        if tenant_id is not None:
            tenants = tenants.filter(pk=tenant_id)
        tenants = list(tenants.values_list("pk", "timezone"))
        ids = [pk for pk, _ in tenants]
        closed = set(
            ClosedPeriod.all_tenants.filter(tenant_id__in=ids).values_list("tenant_id", "period")
        )
        active = {
            version.tenant_id: version
            for version in SlaVersion.all_tenants.filter(
                # Without it, the same answers: each tenant looks up only its own key.
                tenant_id__in=ids,  # pragma: no mutate (a one-tenant sweep reads one tenant)
                status=SlaStatus.ACTIVE,
            )
        }
        at_risk = set(
            Shortfall.all_tenants.filter(
                # Without it, the same answers: the keys looked up carry the version in force.
                version__in=list(active.values()),  # pragma: no mutate (reads only those)
                status=ShortfallStatus.AT_RISK,
            ).values_list("version_id", "period", "term")
        )
    counts = ShortfallCounts()
    for pk, tz_name in tenants:
        month = current_month(tz_name or "UTC", now)
        version = active.get(pk)
        open_terms = {
            term
            for term in (judging.volume_targets(version) if version else {})
            if (version.pk, month.label, term) not in at_risk
        }
        to_close = (pk, month.previous().label) not in closed
        if not (to_close or open_terms):
            continue
        with tenant_scope(pk):
            if to_close:
                counts.add(_close(pk, month.previous(), now=now, pause=pause_seconds))
            if open_terms:
                counts.add(_pace(pk, month, version, open_terms, now=now, pause=pause_seconds))
    return counts
