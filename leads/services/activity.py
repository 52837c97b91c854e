"""Engagement events and sales touches: recorded in bulk, one statement per kind of write."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from django.db import connection, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from leads import lifecycle
from leads.errors import IllegalTransition, InvalidLeadData, NotAllowed
from leads.input import normalize_email
from leads.models import SALES_TOUCH_TYPES, EventType, Lead, LeadEvent, TouchSource
from leads.services.touches import campaign_ids_of, campaign_touches_record, campaigns_named_by
from smarketing.events import publish_many
from smarketing.tenancy.actors import Actor

MAX_EVENTS = 1000
# How far an `occurred_at` may stray from now. Later than a few minutes ahead is no clock skew
# but a made-up time. Engagement may be back-filled (an integration importing a year of
# history); a sales touch answers an SLA obligation, so it may not be back-dated beyond a
# week (last week's call logged late), nor before the lead was accepted.
MAX_FUTURE = timedelta(minutes=5)
MAX_ENGAGEMENT_AGE = timedelta(days=365)
MAX_TOUCH_AGE = timedelta(days=7)


@dataclass(frozen=True)
class EventItemResult:
    index: int
    status: str  # recorded | error
    id: int | None = None
    lead_id: int | None = None
    errors: dict[str, list[str]] | None = None

    def as_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {"index": self.index, "status": self.status}
        for name in ("id", "lead_id", "errors"):
            if getattr(self, name):
                body[name] = getattr(self, name)
        return body


def _parse_time(value: Any, now: datetime) -> tuple[datetime | None, str | None]:
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, str):
        try:
            moment = parse_datetime(value.strip())
        except ValueError:
            moment = None
        if moment is None:
            return None, f"{value!r} is not an ISO 8601 date-time."
    else:
        return None, "Must be an ISO 8601 date-time with an offset, e.g. 2027-03-01T10:00:00Z."
    if timezone.is_naive(moment):
        return None, "Give the time with an offset (Z or +01:00): naive times are ambiguous."
    try:
        # In UTC: PostgreSQL keeps offsets within ±15:59, Python allows up to ±23:59.
        # Equivalent mutant: astimezone(None) is the process's zone, which Django sets to
        # TIME_ZONE (UTC): the same instant, the same zone.
        moment = moment.astimezone(UTC)  # pragma: no mutate
    except OverflowError:
        return None, "The date-time is out of range."
    if moment > now + MAX_FUTURE:
        return None, "This is in the future (at most 5 minutes ahead are allowed for clock skew)."
    return moment, None


def _age_problem(event_type: str, moment: datetime, now: datetime) -> str | None:
    if event_type in SALES_TOUCH_TYPES and moment < now - MAX_TOUCH_AGE:
        return f"A touch can be logged at most {MAX_TOUCH_AGE.days} days after it happened."
    if moment < now - MAX_ENGAGEMENT_AGE:
        return f"Events older than {MAX_ENGAGEMENT_AGE.days} days are not recorded."
    return None


def _clean_event(raw: Any, now: datetime) -> tuple[dict[str, Any] | None, dict[str, list[str]]]:
    if not isinstance(raw, dict):
        return None, {"non_field_errors": ["Each event must be a JSON object."]}
    errors: dict[str, list[str]] = {}
    unknown = set(raw) - {"lead_id", "email", "type", "occurred_at", "properties"}
    for name in unknown:
        errors[name] = ["Unknown field."]
    lead_id, email = raw.get("lead_id"), raw.get("email")
    if lead_id in (None, "") and not email:
        errors["lead_id"] = ["Name the lead with lead_id or email."]
    elif lead_id not in (None, "") and (isinstance(lead_id, bool) or not isinstance(lead_id, int)):
        errors["lead_id"] = ["Must be an integer."]
    elif email is not None and not isinstance(email, str):
        errors["email"] = ["Must be a string."]
    if raw.get("type") not in EventType.values:
        errors["type"] = [
            f"Unknown type {raw.get('type')!r}; use one of {', '.join(EventType.values)}."
        ]
    occurred_at, problem = _parse_time(raw.get("occurred_at"), now)
    if occurred_at is not None and "type" not in errors:
        problem = _age_problem(raw["type"], occurred_at, now)
    if problem:
        errors["occurred_at"] = [problem]
    properties = raw.get("properties") or {}
    if not isinstance(properties, dict):
        errors["properties"] = ["Must be an object."]
    if errors:
        return None, errors
    return {
        "lead_id": lead_id or None,  # "" names no lead
        "email": normalize_email(email) if email else None,
        "type": raw["type"],
        "occurred_at": occurred_at,
        "properties": properties,
    }, {}


def lead_events_record(*, tenant, actor: Actor, items: list[Any]) -> list[EventItemResult]:
    """Record up to 1,000 events; each is checked on its own (a bad one sinks no other)."""
    if len(items) > MAX_EVENTS:
        raise InvalidLeadData({"items": [f"At most {MAX_EVENTS} events per request."]})
    now = timezone.now()
    results: dict[int, EventItemResult] = {}
    cleaned: dict[int, dict[str, Any]] = {}
    for index, raw in enumerate(items):
        event, errors = _clean_event(raw, now)
        if errors:
            results[index] = EventItemResult(index=index, status="error", errors=errors)
        else:
            cleaned[index] = event
    if not lifecycle.logs_touches(role=actor.role, actor_id=actor.user_id):
        for index, event in list(cleaned.items()):
            if event["type"] in SALES_TOUCH_TYPES:
                results[index] = EventItemResult(
                    index=index, status="error",
                    errors={"type": ["Only people on the sales side log calls, e-mails and "
                                     "meetings; an integration reports engagement only."]},
                )  # fmt: skip
                del cleaned[index]

    ids = {e["lead_id"] for e in cleaned.values() if e["lead_id"]}
    emails = {e["email"] for e in cleaned.values() if not e["lead_id"]}
    leads: dict[tuple[str, Any], tuple[int, datetime | None]] = {}
    if ids:
        leads.update(
            {
                ("id", pk): (pk, accepted_at)
                for pk, accepted_at in Lead.objects.filter(pk__in=ids).values_list(
                    "pk", "accepted_at"
                )
            }
        )
    if emails:
        leads.update(
            {
                ("email", e): (pk, accepted_at)
                for e, pk, accepted_at in Lead.objects.filter(email__in=emails).values_list(
                    "email", "pk", "accepted_at"
                )
            }
        )
    rows: list[tuple[int, LeadEvent]] = []
    for index, event in cleaned.items():
        key = ("id", event["lead_id"]) if event["lead_id"] else ("email", event["email"])
        lead_id, accepted_at = leads.get(key, (None, None))
        if lead_id is None:
            field = "lead_id" if key[0] == "id" else "email"
            results[index] = EventItemResult(
                index=index,
                status="error",
                errors={field: [f"No lead with this {field.replace('_', ' ')}."]},
            )
            continue
        predates = accepted_at is not None and event["occurred_at"] < accepted_at
        if event["type"] in SALES_TOUCH_TYPES and predates:
            results[index] = EventItemResult(
                index=index, status="error",
                errors={"occurred_at": ["A touch cannot predate the lead's acceptance "
                                        f"({accepted_at.isoformat()})."]},
            )  # fmt: skip
            continue
        rows.append((index, LeadEvent(
            tenant_id=tenant.pk, lead_id=lead_id, type=event["type"],
            occurred_at=event["occurred_at"], properties=event["properties"], actor=actor.user,
        )))  # fmt: skip

    if rows:
        with transaction.atomic():
            created = LeadEvent.objects.bulk_create([event for _, event in rows])
            _after_events(tenant=tenant, events=created)
        # Equivalent mutants of `strict`: bulk_create returns one object per row given.
        for (index, _), event in zip(rows, created, strict=True):  # pragma: no mutate
            results[index] = EventItemResult(
                index=index, status="recorded", id=event.pk, lead_id=event.lead_id
            )
    return [results[index] for index in range(len(items))]


def _credit_campaigns(*, tenant, events: list[LeadEvent]) -> None:
    """Events that name a campaign (`campaign` id or `utm_campaign` slug in their properties)
    add it to the lead's campaign history, at the time the event happened."""
    named = [(event, campaigns_named_by(event.properties)) for event in events]
    if not any(names for _, names in named):
        return
    ids = campaign_ids_of(name for _, names in named for name in names)
    campaign_touches_record(
        tenant_id=tenant.pk,
        touches=[(event.lead_id, ids[name], event.occurred_at) for event, names in named
                 for name in names if name in ids],
        source=TouchSource.EVENT,
    )  # fmt: skip


def _after_events(*, tenant, events: list[LeadEvent]) -> None:
    _credit_campaigns(tenant=tenant, events=events)
    latest: dict[int, datetime] = {}
    per_lead: dict[int, list[LeadEvent]] = defaultdict(list)
    for event in events:
        per_lead[event.lead_id].append(event)
        newest = latest.get(event.lead_id)
        # Equivalent mutant: `>=` keeps the same instant.
        if newest is None or event.occurred_at > newest:  # pragma: no mutate
            latest[event.lead_id] = event.occurred_at
    _bump_last_activity(latest)
    publish_many(
        "lead.activity",
        tenant=tenant,
        items=[
            {"lead_id": lead_id, "types": sorted({e.type for e in evs}),
             "latest_at": latest[lead_id],
             "sales_touch": any(e.type in SALES_TOUCH_TYPES for e in evs)}
            for lead_id, evs in per_lead.items()
        ],
        events_by_lead=dict(per_lead),
    )  # fmt: skip


def _bump_last_activity(latest: dict[int, datetime]) -> None:
    """last_activity_at = the later of what it was and the newest event, in one statement
    (PostgreSQL and SQLite alike: a VALUES list names its columns column1, column2)."""
    if not latest:
        return
    table = Lead._meta.db_table
    values = ", ".join(["(%s, %s)"] * len(latest))
    adapt = connection.ops.adapt_datetimefield_value
    params = [p for lead_id, at in latest.items() for p in (lead_id, adapt(at))]
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET last_activity_at = v.column2 FROM (VALUES {values}) AS v "
            f"WHERE {table}.id = v.column1 "
            f"AND ({table}.last_activity_at IS NULL OR {table}.last_activity_at < v.column2)",
            params,
        )


def lead_touch_log(
    *, lead: Lead, actor: Actor, type: str, note: str = "", occurred_at: datetime | None = None
) -> LeadEvent:
    """A rep logs a call, e-mail or meeting (meets the first-touch obligation)."""
    if type not in SALES_TOUCH_TYPES:
        raise InvalidLeadData({"type": ["A touch is a call, an e-mail or a meeting."]})
    if not lifecycle.logs_touches(role=actor.role, actor_id=actor.user_id):
        raise NotAllowed("Only sales reps, managers and admins log touches.")
    if not lifecycle.may_log_touch(lead=lead, role=actor.role, actor_id=actor.user_id):
        raise IllegalTransition(f"This lead is {lead.stage}: touches are logged on open leads.")
    [result] = lead_events_record(
        tenant=lead.tenant,
        actor=actor,
        items=[{"lead_id": lead.pk, "type": type,
                "occurred_at": occurred_at or timezone.now(),
                "properties": {"note": note} if note else {}}],
    )  # fmt: skip
    if result.errors:
        raise InvalidLeadData(result.errors)
    return LeadEvent.objects.get(pk=result.id)
