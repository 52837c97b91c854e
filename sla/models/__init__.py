"""The SLA between marketing and sales: calendars, contract versions, obligations, breaches."""

from sla.goals.models import Goal
from sla.models.calendars import TenantCalendar
from sla.models.obligations import Breach, Obligation, ObligationKind, ObligationStatus
from sla.models.rollups import (
    FunnelRollup,
    ObligationMonthRollup,
    ObligationRollup,
    RollupDirtyDay,
    RollupState,
)
from sla.models.versions import SIGN_SIDES, SlaStatus, SlaVersion

__all__ = [
    "SIGN_SIDES",
    "Breach",
    "FunnelRollup",
    "Goal",
    "Obligation",
    "ObligationKind",
    "ObligationMonthRollup",
    "ObligationRollup",
    "ObligationStatus",
    "RollupDirtyDay",
    "RollupState",
    "SlaStatus",
    "SlaVersion",
    "TenantCalendar",
]
