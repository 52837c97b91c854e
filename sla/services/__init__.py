"""Every write of the SLA app. Views, handlers, tasks and commands call these."""

from sla.services.automation import leads_qualify_by_score
from sla.services.breaches import SweepCounts, sla_sweep
from sla.services.cold import cold_leads_sweep, leads_warm_up
from sla.services.obligations import (
    obligations_cancel,
    obligations_open,
    obligations_reassign,
    obligations_respond,
)
from sla.services.rollups import (
    compliance_rollups_build,
    compliance_rollups_refresh,
    compliance_rollups_sweep,
    rollup_days_touch,
)
from sla.services.shortfalls import ShortfallCounts, marketing_shortfalls_sweep
from sla.services.versions import (
    sla_review_reminders_send,
    sla_tenant_defaults_create,
    sla_version_activate,
    sla_version_create,
    sla_version_sign,
    sla_version_update,
)

__all__ = [
    "ShortfallCounts",
    "SweepCounts",
    "cold_leads_sweep",
    "compliance_rollups_build",
    "compliance_rollups_refresh",
    "compliance_rollups_sweep",
    "leads_qualify_by_score",
    "leads_warm_up",
    "marketing_shortfalls_sweep",
    "obligations_cancel",
    "obligations_open",
    "obligations_reassign",
    "obligations_respond",
    "rollup_days_touch",
    "sla_review_reminders_send",
    "sla_sweep",
    "sla_tenant_defaults_create",
    "sla_version_activate",
    "sla_version_create",
    "sla_version_sign",
    "sla_version_update",
]
