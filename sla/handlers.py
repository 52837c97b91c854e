"""How the SLA reacts to what happens to tenants and leads (subscribed in `SlaConfig.ready`).

Every handler runs inside the transaction of the change it reacts to, so an obligation opens
or closes together with the stage move, the acceptance or the touch that caused it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils import timezone

from leads.models import Lead, Stage
from sla import services
from sla.models import ObligationKind
from sla.services import merges
from smarketing.events import subscribe


def _lead_of(lead_id: int, lead: Lead | None) -> Lead | None:
    if lead is not None and lead.pk == lead_id:
        return lead
    return Lead.objects.filter(pk=lead_id).first()


def _at(value: Any) -> datetime:
    return value if isinstance(value, datetime) else timezone.now()


def on_tenant_created(*, tenant, items, **context) -> None:
    services.sla_tenant_defaults_create(tenant=tenant)


def on_stage_changed(*, tenant, items, lead=None, leads=(), actor=None, **context) -> None:
    """Entering sql opens `accept`; leaving sql answers it (a rejection) or cancels it.

    `leads`: the moved leads of a batch, as their mover holds them."""
    held = {moved.pk: moved for moved in leads}
    for item in items:
        source, target, at = item["from"], item["to"], _at(item.get("at"))
        if Stage.SQL not in (source, target):
            continue  # lead → mql and the like: nothing owed, nothing to read
        moved = _lead_of(item["id"], held.get(item["id"], lead))
        if moved is None:
            continue
        if target == Stage.SQL:
            services.obligations_open(leads=[moved], kind=ObligationKind.ACCEPT, now=at)
        elif source == Stage.SQL:
            by_a_person = actor is not None and not actor.is_system
            if target == Stage.RECYCLED and by_a_person:
                # Sending the SQL back is an answer too: sales responded.
                services.obligations_respond(kind=ObligationKind.ACCEPT, answered_at={moved.pk: at})
            services.obligations_cancel(lead_ids=[moved.pk], now=at)


def on_lead_accepted(*, tenant, items, lead=None, **context) -> None:
    """Acceptance answers `accept` and opens `first_touch` for the new owner."""
    for item in items:
        accepted = _lead_of(item["id"], lead)
        if accepted is None:
            continue
        at = _at(item.get("accepted_at"))
        services.obligations_respond(kind=ObligationKind.ACCEPT, answered_at={accepted.pk: at})
        services.obligations_open(leads=[accepted], kind=ObligationKind.FIRST_TOUCH, now=at)


def on_lead_activity(*, tenant, items, events_by_lead=None, **context) -> None:
    """Any activity warms a cold lead up; a sales touch answers `first_touch`."""
    services.leads_warm_up(lead_ids=[item["lead_id"] for item in items])
    now = timezone.now()
    touched: dict[int, datetime] = {}
    for item in items:
        if not item.get("sales_touch"):
            continue
        events = (events_by_lead or {}).get(item["lead_id"]) or []
        times = [event.occurred_at for event in events if event.is_sales_touch]
        touched[item["lead_id"]] = min(max(times, default=_at(item.get("latest_at"))), now)
    services.obligations_respond(kind=ObligationKind.FIRST_TOUCH, answered_at=touched)


def on_lead_assigned(*, tenant, items, lead=None, **context) -> None:
    for item in items:
        owner = item.get("owner") or {}
        services.obligations_reassign(lead_id=item["id"], owner_id=owner.get("id"))


def on_lead_erased(*, tenant, items, **context) -> None:
    services.obligations_cancel(lead_ids=[item["id"] for item in items], now=timezone.now())


def on_lead_scored(*, tenant, items, **context) -> None:
    services.leads_qualify_by_score(items=items)


def reroute_deactivated_members_breached_sqls(*, tenant, items, **context) -> None:
    """A deactivated rep's accepted SQLs whose SLA was breached go to another rep (their
    unaccepted SQLs are handed on by leads itself)."""
    from leads.routing.route import lead_reroute
    from sla.models import Obligation, ObligationStatus

    for item in items:
        breached = Obligation.objects.filter(
            status=ObligationStatus.BREACHED, lead__owner_id=item["user_id"],
            lead__stage=Stage.SQL, lead__accepted_at__isnull=False,
        ).values_list("lead_id", flat=True)  # fmt: skip
        for lead in Lead.objects.filter(pk__in=list(breached)).order_by("pk"):
            lead_reroute(lead=lead, exclude={item["user_id"]}, reason="the owner was deactivated.")


def on_lead_merged(*, tenant, items, moved=None, notes=None, **context) -> None:
    """Obligations follow the lead; what was done is kept in the merge, for its undo."""
    for item in items:
        record, said = merges.obligations_merge(
            survivor_id=item["id"], other_id=item["merged_id"], now=timezone.now()
        )
        if moved is not None:
            moved["sla_obligations"] = record
        if notes is not None:
            notes.extend(said)


def on_lead_unmerged(*, tenant, items, moved=None, **context) -> None:
    for item in items:
        merges.obligations_unmerge(survivor_id=item["id"], other_id=item["merged_id"],
                                   record=(moved or {}).get("sla_obligations", {}))  # fmt: skip


def register() -> None:
    subscribe("tenant.created", on_tenant_created)
    subscribe("lead.stage_changed", on_stage_changed)
    subscribe("lead.accepted", on_lead_accepted)
    subscribe("lead.activity", on_lead_activity)
    subscribe("lead.assigned", on_lead_assigned)
    subscribe("lead.erased", on_lead_erased)
    subscribe("lead.scored", on_lead_scored)
    subscribe("member.deactivated", reroute_deactivated_members_breached_sqls)
    subscribe("lead.merged", on_lead_merged)
    subscribe("lead.unmerged", on_lead_unmerged)
