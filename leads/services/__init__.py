"""Every write on leads. Views, serializers and tasks call these; they hold the rules."""

from leads.services.activity import lead_events_record, lead_touch_log
from leads.services.campaigns import campaign_create, campaign_update
from leads.services.claims import lead_deadline_set, queue_claim
from leads.services.erasure import lead_erase
from leads.services.stages import (
    lead_accept,
    lead_assign,
    lead_reject,
    lead_transition,
    leads_transition,
)
from leads.services.upsert import (
    BulkItemResult,
    UpsertResult,
    lead_update,
    lead_upsert,
    leads_bulk_upsert,
)

__all__ = [
    "BulkItemResult",
    "UpsertResult",
    "campaign_create",
    "campaign_update",
    "lead_accept",
    "lead_assign",
    "lead_deadline_set",
    "lead_erase",
    "lead_events_record",
    "lead_reject",
    "lead_touch_log",
    "lead_transition",
    "lead_update",
    "lead_upsert",
    "leads_bulk_upsert",
    "leads_transition",
    "queue_claim",
]
