"""How scoring reacts to what happens to leads (subscribed in `PersonasConfig.ready`).

Handlers run inside the transaction of the change, so a lead is never seen with new data
and an old score. Each call scores its whole batch at once: one read, one write.
"""

from typing import Any

from personas.services import leads_engagement_add, leads_rescore
from smarketing.events import subscribe


def _tenant_id(tenant: Any) -> int:
    return tenant if isinstance(tenant, int) else tenant.pk


def rescore_changed_leads(*, tenant, items, new_ids=(), written_leads=(), **context) -> None:
    """Profile data (fit) changed: re-score those leads, engagement decayed to now."""
    ids = [item["id"] for item in items]
    leads_rescore(tenant_id=_tenant_id(tenant), lead_ids=ids, new_ids=new_ids,
                  written=written_leads)  # fmt: skip


def add_engagement(*, tenant, items, events_by_lead, **context) -> None:
    """New events: add their decayed weights to their leads' engagement, re-score them."""
    leads_engagement_add(
        tenant_id=_tenant_id(tenant),
        events_by_lead={
            lead_id: [(event.type, event.occurred_at) for event in events]
            for lead_id, events in events_by_lead.items()
        },
    )


def register() -> None:
    # Every lead in `lead.created` is in the same upsert's `lead.profile_changed` too, so
    # new leads are scored once, here.
    subscribe("lead.profile_changed", rescore_changed_leads)
    # Erasure blanks the title, the company and the custom fields: fit may change.
    subscribe("lead.erased", rescore_changed_leads)
    subscribe("lead.activity", add_engagement)
