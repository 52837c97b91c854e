"""SLA contract versions: drafting, sign-off by both teams, activation, review reminders."""

from __future__ import annotations

import calendar as month_calendar
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from sla import selectors, signoff
from sla.errors import ActivationConflict, InvalidSlaData, NotADraft, NotSigned, SignNotAllowed
from sla.models import SlaStatus, SlaVersion, TenantCalendar
from sla.signoff import SIGN_SIDES
from sla.terms import default_calendar_for
from smarketing.errors import DomainError
from smarketing.events import publish
from smarketing.tenancy.actors import Actor
from smarketing.tenancy.audit import audit_record, changes_between
from smarketing.tenancy.models import Tenant
from smarketing.tenancy.roles import LEADERSHIP_ROLES
from smarketing.tenancy.scope import cross_tenant_scope, tenant_scope

DEFAULT_TERMS: dict[str, Any] = {
    "accept_within_hours": Decimal("4"),
    "first_touch_within_hours": Decimal("8"),
    "hot_score": 80,
    "hot_accept_within_hours": Decimal("1"),
    "hot_first_touch_within_hours": Decimal("2"),
    "mql_threshold": None,
    "sql_threshold": None,
    "monthly_mql_target": 0,
    "monthly_sql_target": 0,
    "min_acceptance_rate": Decimal("0.6"),
    "pacing_tolerance": Decimal("0.2"),
    "pacing_min_elapsed": Decimal("0.3"),
    "acceptance_min_decided": 10,
    "cold_after_days": {"mql": 14, "sql": 3, "opportunity": 30},
    "auto_recycle_cold": False,
    "reroute_on_breach": False,
    "notify_on_breach": ["owner", "managers"],
    "review_every_months": 3,
}
TERM_FIELDS = (*DEFAULT_TERMS, "name", "calendar")


def add_months(day: date, months: int) -> date:
    """The same day `months` later, clamped to the month's end (31 Jan + 1 → 28/29 Feb)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, month_calendar.monthrange(year, month)[1]))


def _check_terms(version: SlaVersion) -> None:
    """Rules across fields; single fields were checked when the input was parsed."""
    errors: dict[str, list[str]] = {}
    pairs = (
        ("hot_accept_within_hours", "accept_within_hours"),
        ("hot_first_touch_within_hours", "first_touch_within_hours"),
    )
    for hot, normal in pairs:
        value = getattr(version, hot)
        if value is not None and Decimal(value) > Decimal(getattr(version, normal)):
            errors[hot] = [f"A hot lead's deadline cannot be longer than {normal}."]
    hot_values = version.hot_accept_within_hours or version.hot_first_touch_within_hours
    if hot_values and version.hot_score is None:
        errors["hot_score"] = ["Say from which score a lead is hot, or drop the hot deadlines."]
    mql, sql = version.mql_threshold, version.sql_threshold
    if mql is not None and sql is not None and mql > sql:
        errors["sql_threshold"] = ["The SQL threshold cannot be below the MQL threshold."]
    try:
        # Not the table's constraints: the one on terms is the threshold rule above, said in
        # words (the constraint's own message names it by its internal name); the others
        # are about numbering and activation, not terms.
        version.full_clean(exclude=["tenant", "created_by", "number"], validate_constraints=False)
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            errors.setdefault(field, messages)
    if errors:
        raise InvalidSlaData(errors)


def _lock_tenant(tenant_id: int) -> None:
    # Numbering and activation are per tenant: one writer at a time keeps both gap-free.
    Tenant.objects.select_for_update().filter(pk=tenant_id).first()


@transaction.atomic
def sla_version_create(*, tenant: Tenant, actor: Actor, data: dict[str, Any]) -> SlaVersion:
    """A new draft. Terms left out take the defaults; the calendar, the tenant's office hours."""
    _lock_tenant(tenant.pk)
    unknown = set(data) - set(TERM_FIELDS)
    if unknown:
        raise InvalidSlaData({name: ["Unknown field."] for name in sorted(unknown)})
    terms = {**DEFAULT_TERMS, **data}
    if "calendar" not in data:
        office = selectors.default_calendar()
        terms["calendar"] = (
            office.definition
            if office
            else default_calendar_for(timezone=tenant.timezone, country=tenant.country)
        )
    number = (SlaVersion.objects.aggregate(n=Max("number"))["n"] or 0) + 1
    version = SlaVersion(tenant=tenant, number=number, created_by=actor.user, **terms)
    _check_terms(version)
    version.save(force_insert=True)
    audit_record(
        tenant=tenant,
        actor=actor,
        action="sla.version_created",
        target=version,
        changes={"number": number, "name": version.name},
    )
    return version


@transaction.atomic
def sla_version_update(*, version: SlaVersion, actor: Actor, data: dict[str, Any]) -> SlaVersion:
    """Change a draft. Changed terms void the sign-offs: both teams sign what they agree to."""
    current = SlaVersion.objects.select_for_update().get(pk=version.pk)
    if current.status != SlaStatus.DRAFT:
        raise NotADraft(f"Version {current.number} is {current.status}; draft a new version.")
    unknown = set(data) - set(TERM_FIELDS)
    if unknown:
        raise InvalidSlaData({name: ["Unknown field."] for name in sorted(unknown)})
    changed = [name for name, value in data.items() if getattr(current, name) != value]
    changes = changes_between({n: getattr(current, n) for n in changed},
                              {n: data[n] for n in changed})  # fmt: skip
    for name in changed:
        setattr(current, name, data[name])
    _check_terms(current)
    if changed:
        written = [*changed, "updated_at"]
        if changed != ["name"]:
            for side in SIGN_SIDES:
                setattr(current, f"{side}_signed_by", None)
                setattr(current, f"{side}_signed_at", None)
                written += [f"{side}_signed_by", f"{side}_signed_at"]
        current.save(update_fields=written)
        audit_record(
            tenant=current.tenant_id,
            actor=actor,
            action="sla.version_changed",
            target=current,
            changes=changes,
        )
    _copy(current, version)
    return version


def _copy(source: SlaVersion, target: SlaVersion) -> None:
    for field in SlaVersion._meta.concrete_fields:
        setattr(target, field.attname, getattr(source, field.attname))


def _closed(version: SlaVersion) -> DomainError | None:
    """An SLA version takes signatures while it is a draft."""
    if version.status != SlaStatus.DRAFT:
        return NotADraft(f"Version {version.number} is {version.status}; only drafts are signed.")
    return None


def sign_refusal(
    *, version: SlaVersion, side: str, role: str, user_id: int | None
) -> DomainError | None:
    """Why this person may not sign `version` for `side` now; None when they may (the rule
    of `sla.signoff`, with drafts only)."""
    return signoff.sign_refusal(
        agreement=version, side=side, role=role, user_id=user_id, closed=_closed(version),
        name=f"Version {version.number}",
    )  # fmt: skip


def signable_sides(*, version: SlaVersion, role: str, user_id: int | None) -> list[str]:
    """The sides a page offers this person to sign: allowed, and not signed yet."""
    return signoff.signable_sides(
        agreement=version, role=role, user_id=user_id, closed=_closed(version)
    )


@transaction.atomic
def sla_version_sign(*, version: SlaVersion, actor: Actor, side: str) -> SlaVersion:
    """A member signs the draft for their team, if `sign_refusal` finds no reason not to."""
    refusal = signoff.caller_refusal(side=side, role=actor.role, user_id=actor.user_id)
    if refusal is not None:
        raise refusal  # before any lock: the refusal depends on the caller alone
    current = SlaVersion.objects.select_for_update().get(pk=version.pk)
    refusal = sign_refusal(version=current, side=side, role=actor.role, user_id=actor.user_id)
    if refusal is not None:
        raise refusal
    if signed := signoff.signature_fields(current, side=side, user=actor.user, at=timezone.now()):
        current.save(update_fields=[*signed, "updated_at"])
        audit_record(
            tenant=current.tenant_id,
            actor=actor,
            action="sla.version_signed",
            target=current,
            changes={"side": side},
        )
    _copy(current, version)
    return version


@transaction.atomic
def sla_version_activate(
    *, version: SlaVersion, actor: Actor, now: datetime | None = None
) -> SlaVersion:
    """Make a signed draft the tenant's SLA; the version active until now retires.

    Obligations already open keep the terms they were opened under.
    """
    if not actor.is_system and actor.role not in LEADERSHIP_ROLES:
        raise SignNotAllowed("Only managers and admins activate an SLA version.")
    now = now or timezone.now()
    _lock_tenant(version.tenant_id)
    current = SlaVersion.objects.get(pk=version.pk)
    if current.status != SlaStatus.DRAFT:
        raise NotADraft(f"Version {current.number} is {current.status} already.")
    missing = signoff.missing_sides(current)
    if missing:
        raise NotSigned(f"Version {current.number} still needs the {' and '.join(missing)} "
                        "sign-off.", extra={"missing": missing})  # fmt: skip
    local_today = now.astimezone(ZoneInfo(current.calendar.get("timezone") or "UTC")).date()
    try:
        with transaction.atomic():
            SlaVersion.objects.filter(status=SlaStatus.ACTIVE).update(
                status=SlaStatus.RETIRED, retired_at=now, updated_at=now
            )
            activated = SlaVersion.objects.filter(pk=current.pk, status=SlaStatus.DRAFT).update(
                status=SlaStatus.ACTIVE,
                activated_at=now,
                activated_by=actor.user,
                review_on=add_months(local_today, current.review_every_months),
                updated_at=now,
            )
    except IntegrityError as exc:
        raise ActivationConflict("Another version became active meanwhile; reload.") from exc
    if not activated:
        raise ActivationConflict("The version changed meanwhile; reload it.")
    current.refresh_from_db()
    audit_record(
        tenant=current.tenant_id,
        actor=actor,
        action="sla.version_activated",
        target=current,
        changes={"status": ["draft", "active"]},
    )
    _copy(current, version)
    return version


@transaction.atomic
def sla_tenant_defaults_create(*, tenant: Tenant) -> tuple[TenantCalendar, SlaVersion]:
    """A new tenant's office hours and a first SLA draft for both teams to edit and sign."""
    definition = default_calendar_for(timezone=tenant.timezone, country=tenant.country)
    office, _ = TenantCalendar.objects.get_or_create(
        tenant=tenant, is_default=True, defaults={"definition": definition}
    )
    version = SlaVersion.objects.filter(number=1).first()
    if version is None:
        version = sla_version_create(
            tenant=tenant, actor=Actor.system(), data={"name": "Default SLA"}
        )
    return office, version


def sla_review_reminders_send(*, today: date | None = None) -> int:
    """Remind managers once when an active version's review date has come."""
    today = today or timezone.now().date()
    sent = 0
    with cross_tenant_scope():
        due = list(
            SlaVersion.all_tenants.filter(
                status=SlaStatus.ACTIVE, review_on__lte=today, review_reminded_at__isnull=True
            ).values_list("pk", "tenant_id")
        )
    for version_id, tenant_id in due:
        with tenant_scope(tenant_id), transaction.atomic():
            now = timezone.now()
            claimed = SlaVersion.objects.filter(
                pk=version_id, status=SlaStatus.ACTIVE, review_reminded_at__isnull=True
            ).update(review_reminded_at=now)
            if not claimed:
                continue  # another run reminded them
            version = SlaVersion.objects.get(pk=version_id)
            publish(
                "sla.review_due",
                tenant=tenant_id,
                data={"version": version.pk, "number": version.number, "name": version.name,
                      "review_on": version.review_on,
                      "notify": selectors.managers_of_tenant(tenant_id=tenant_id)},
            )  # fmt: skip
            sent += 1
    return sent
