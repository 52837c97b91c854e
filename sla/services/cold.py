"""Cold leads: open leads with no sign of life for the SLA's `cold_after_days` of their stage.

A lead's last sign of life is the later of its last activity and its last stage change (a lead
handed off yesterday is not cold because its last e-mail click was a month ago). The sweep
asks, per tenant and stage, for leads not cold whose last sign of life is older than the
cutoff; the partial expression index `sla_lead_cold_due_idx` (see the sla migration) turns
that into a range scan over the due leads only. Flagging is a conditional UPDATE on
`is_cold = false` under row locks (SKIP LOCKED), so each lead goes cold, and emits
`lead.cold`, once per cold spell; new activity warms it up again.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import F, QuerySet
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone

from leads import lifecycle
from leads.funnel import definitions
from leads.models import Lead, RejectionReason, Stage
from leads.payloads import lead_payload
from leads.services import lead_transition
from sla.models import SlaStatus, SlaVersion
from sla.services.planner import ordered_index_scans
from smarketing.errors import DomainError
from smarketing.events import publish_many
from smarketing.tenancy.actors import Actor
from smarketing.tenancy.scope import cross_tenant_scope, tenant_scope

BATCH_SIZE = 1000
# The reason the recycle records: the funnel counts it as "went cold", never as a rejection.
COLD_REASON = (definitions.COLD_RECYCLE_REASON, "Went cold (no activity)")
# Must stay the expression of the index `sla_lead_cold_due_idx`.
QUIET_SINCE = Greatest(
    Coalesce(F("last_activity_at"), F("stage_changed_at")), F("stage_changed_at")
)


@dataclass
class ColdCounts:
    cold: int = 0
    recycled: int = 0

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


def cold_due(*, stage: str, cutoff: datetime) -> QuerySet[Lead]:
    """Leads of the current tenant in `stage`, not cold, silent since before `cutoff`."""
    return (
        Lead.objects.annotate(quiet_since=QUIET_SINCE)
        .filter(
            stage=stage,
            is_cold=False,
            erased_at__isnull=True,
            quiet_since__lte=cutoff,
            merged_into__isnull=True,
        )
        .order_by("quiet_since")
    )


def _claim(*, stage: str, cutoff: datetime, limit: int) -> QuerySet:
    """The ids of up to `limit` due leads, locked; rows another sweep holds are skipped."""
    return (
        cold_due(stage=stage, cutoff=cutoff)
        .select_for_update(skip_locked=True)
        .values_list(
            # Naming no field would be equivalent: a flat list then holds the first column, id.
            "id",  # pragma: no mutate
            flat=True,
        )[:limit]
    )


def cold_plan(*, stage: str, cutoff: datetime, limit: int = BATCH_SIZE) -> str:
    """PostgreSQL's plan of the cold claim in the current tenant scope, as the sweep runs it."""
    with transaction.atomic(), ordered_index_scans():
        return _claim(stage=stage, cutoff=cutoff, limit=limit).explain()


def _recycle(leads: list[Lead], *, tenant_id: int, days: int) -> int:
    """Send cold SQLs back to marketing, as the system, with the reason "went cold"."""
    code, label = COLD_REASON
    RejectionReason.objects.get_or_create(
        code=code, defaults={"tenant_id": tenant_id, "label": label, "position": 99}
    )
    recycled = 0
    for lead in leads:
        try:
            lead_transition(lead=lead, to=Stage.RECYCLED, actor=Actor.system(), reason_code=code,
                            note=f"No activity for {days} days.")  # fmt: skip
        except DomainError:
            continue  # moved or changed meanwhile, or the reason was retired: flag only
        recycled += 1
    return recycled


def _flag_batch(version: SlaVersion, *, stage: str, days: int, now: datetime, limit: int):
    with ordered_index_scans():
        ids = list(_claim(stage=stage, cutoff=now - timedelta(days=days), limit=limit))
    if not ids:
        return 0, 0
    # The claim read them not cold and this transaction holds their locks: flag them all.
    Lead.objects.filter(pk__in=ids).update(is_cold=True, cold_since=now)
    leads = list(Lead.objects.filter(pk__in=ids).select_related("owner").order_by("id"))
    publish_many(
        "lead.cold",
        tenant=version.tenant_id,
        items=[{**lead_payload(lead), "cold_since": now, "cold_after_days": days,
                "last_activity_at": lead.last_activity_at,
                "stage_changed_at": lead.stage_changed_at} for lead in leads],
    )  # fmt: skip
    recycled = 0
    if version.auto_recycle_cold and lifecycle.find_move(stage, Stage.RECYCLED):
        recycled = _recycle(leads, tenant_id=version.tenant_id, days=days)
    return len(ids), recycled


def cold_leads_sweep(
    *, now: datetime | None = None, tenant_id: int | None = None, batch_size: int = BATCH_SIZE
) -> ColdCounts:
    """Flag cold leads of every tenant with an active SLA (or of one tenant); recycle cold
    SQLs when the SLA says so. Stages the lifecycle cannot move to `recycled` are only
    flagged."""
    now = now or timezone.now()
    counts = ColdCounts()
    with cross_tenant_scope():
        versions = SlaVersion.all_tenants.filter(status=SlaStatus.ACTIVE).order_by("tenant_id")
        if tenant_id is not None:
            versions = versions.filter(tenant_id=tenant_id)
        versions = [version for version in versions if version.cold_after_days]
    for version in versions:
        with tenant_scope(version.tenant_id):
            for stage, days in sorted(version.cold_after_days.items()):
                while True:
                    with transaction.atomic():
                        flagged, recycled = _flag_batch(
                            version, stage=stage, days=days, now=now, limit=batch_size
                        )
                    counts.cold += flagged
                    counts.recycled += recycled
                    if flagged < batch_size:
                        break
    return counts


def leads_warm_up(*, lead_ids) -> int:
    """New activity: the leads are not cold any more."""
    return Lead.objects.filter(pk__in=list(lead_ids), is_cold=True).update(
        is_cold=False, cold_since=None
    )
