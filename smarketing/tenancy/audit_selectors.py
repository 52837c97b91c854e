"""Reads of the audit log."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from smarketing.tenancy.audit_models import AuditEntry


def parse_moment(value: str, *, end: bool = False) -> datetime | None:
    """An ISO date-time, or a date (its start; with `end`, the start of the next day),
    read in the current timezone when it carries no offset. None when unreadable."""
    value = (value or "").strip()
    if not value:
        return None
    try:
        # A date first: `parse_datetime` reads "2026-12-04" too (as its midnight), which
        # would make an inclusive `to` day end where it starts.
        day = parse_date(value)
        if day is not None:
            moment = datetime.combine(day, time.min)
            if end:
                moment = moment + timedelta(days=1)
        else:
            moment = parse_datetime(value)
            if moment is None:
                return None
    except ValueError:
        return None
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


def audit_entries(
    *, actor: str = "", action: str = "", since: datetime | None = None,
    until: datetime | None = None,
) -> QuerySet[AuditEntry]:  # fmt: skip
    """Entries of the current tenant, newest first. `actor` is an e-mail (or "system");
    `action` is one action (`member.role_changed`) or a family (`member`)."""
    entries = AuditEntry.objects.all()
    if actor:
        entries = entries.filter(actor_label__iexact=actor.strip())
    if action:
        action = action.strip()
        if "." in action:
            entries = entries.filter(action=action)
        else:
            entries = entries.filter(action__startswith=f"{action}.")
    if since is not None:
        entries = entries.filter(created_at__gte=since)
    if until is not None:
        entries = entries.filter(created_at__lt=until)
    return entries.order_by("-id")
