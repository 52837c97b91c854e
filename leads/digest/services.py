"""The daily digest of rejections: once a day per tenant, after `DIGEST_HOUR` in the
tenant's timezone, the rejections of the day before go out as one `lead.rejections_digest`
event; each person gets their own part of it (`leads.rejections` says whose a rejection
is) if they chose a channel for the digest (it is opt-in: the default channel is none).
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone

from leads.digest.models import RejectionDigest
from leads.funnel.definitions import SALES_REJECTION
from leads.models import RejectionReason, StageTransition
from leads.rejections import rejection_recipients
from smarketing.db import insert_if_absent
from smarketing.events import publish
from smarketing.tenancy.models import Tenant
from smarketing.tenancy.scope import cross_tenant_scope, tenant_scope

DIGEST_HOUR = 7  # local time from which yesterday's digest goes out
MAX_LISTED = 200  # rejections listed in one digest; more are counted, not listed


def _items(day_start: datetime, day_end: datetime) -> list[dict[str, Any]]:
    rows = list(
        StageTransition.objects.filter(SALES_REJECTION, at__gte=day_start, at__lt=day_end)
        .order_by("at", "id")
        .values("lead_id", "at", "reason_code", "note", "actor_label", "lead__email",
                "lead__first_name", "lead__last_name", "lead__company")[:MAX_LISTED]
    )  # fmt: skip
    if not rows:
        return []
    recipients = rejection_recipients([(row["lead_id"], row["at"]) for row in rows])
    reasons = dict(RejectionReason.objects.values_list("code", "label"))
    items = []
    for row in rows:
        name = " ".join(p for p in (row["lead__first_name"], row["lead__last_name"]) if p)
        name = name or row["lead__email"]
        company = row["lead__company"]
        items.append({
            "lead": row["lead_id"], "email": row["lead__email"],
            "label": f"{name} ({company})" if company else name,
            "reason_code": row["reason_code"],
            "reason": reasons.get(row["reason_code"], row["reason_code"]),
            "note": row["note"], "by": row["actor_label"], "at": row["at"],
            "notify": recipients[(row["lead_id"], row["at"])],
        })  # fmt: skip
    return items


def rejection_digests_send(*, now: datetime | None = None) -> int:
    """Send yesterday's digest of every tenant whose morning has come and that has not had
    it; returns how many digests were announced. Safe to run twice or side by side."""
    now = now or timezone.now()
    with cross_tenant_scope():
        tenants = list(Tenant.objects.order_by("pk").values_list("pk", "timezone"))
    sent = 0
    for tenant_id, tz_name in tenants:
        zone = ZoneInfo(tz_name or "UTC")
        local = now.astimezone(zone)
        if local.hour < DIGEST_HOUR:
            continue
        day = local.date() - timedelta(days=1)
        start = datetime.combine(day, time.min, zone)
        with tenant_scope(tenant_id), transaction.atomic():
            if RejectionDigest.objects.filter(day=day).exists():
                continue
            items = _items(start, datetime.combine(local.date(), time.min, zone))
            claimed = insert_if_absent(RejectionDigest, {
                "tenant_id": tenant_id, "day": day, "rejections": len(items), "sent_at": now,
            })  # fmt: skip
            if claimed is None or not items:
                continue  # another run sent it, or sales rejected nothing that day
            publish("lead.rejections_digest", tenant=tenant_id,
                    data={"day": day, "rejections": items})  # fmt: skip
            sent += 1
    return sent
