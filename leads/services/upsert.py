"""Upserts by e-mail: one lead per address per tenant; merging fills, never blanks."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from leads.errors import InvalidLeadData, LeadDataConflict
from leads.input import CleanLead, clean_lead, is_empty
from leads.models import Campaign, Lead, StageTransition, TouchSource, TransitionAction
from leads.payloads import lead_payload
from leads.services.bulk_sql import WrittenLead, bulk_upsert_rows
from leads.services.history import transition_record
from leads.services.touches import campaign_touches_record
from smarketing import events
from smarketing.db import json_as_stored
from smarketing.events import publish_many
from smarketing.tenancy.actors import Actor

MAX_BULK_ITEMS = 1000


@dataclass(frozen=True)
class UpsertResult:
    lead: Lead
    created: bool
    changed_fields: tuple[str, ...]
    # `lead` is the row as the transaction left it, so it can be answered without a read:
    # nothing reacted to the upsert but its own events and the re-score, which updates the
    # instance (see `_OWN_EVENTS`).
    current: bool = False


# What an upsert publishes, and the re-score's announcement. Any other event in its wake (an
# SLA threshold crossed moves the lead, routing gives it an owner) may have written the
# lead's row past the instance.
_OWN_EVENTS = frozenset({"lead.created", "lead.profile_changed", "lead.scored"})


@dataclass(frozen=True)
class BulkItemResult:
    index: int
    status: str  # created | updated | unchanged | error
    id: int | None = None
    email: str | None = None
    errors: dict[str, list[str]] | None = None

    def as_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {"index": self.index, "status": self.status}
        if self.id is not None:
            body["id"] = self.id
        if self.email is not None:
            body["email"] = self.email
        if self.errors:
            body["errors"] = self.errors
        return body


def _model_values(fields: dict[str, Any]) -> dict[str, Any]:
    values = dict(fields)
    if "campaign" in values:
        values["campaign_id"] = values.pop("campaign")
    return values


def _check_campaigns(campaign_ids: set[int]) -> set[int]:
    """The ids among `campaign_ids` that are not campaigns of the current tenant."""
    if not campaign_ids:
        return set()
    found = set(Campaign.objects.filter(pk__in=campaign_ids).values_list("pk", flat=True))
    return campaign_ids - found


def _merge(lead: Lead, values: dict[str, Any]) -> list[str]:
    """Apply non-empty incoming values; return the names of fields that changed."""
    changed = []
    for name, value in values.items():
        if name == "custom_fields":
            merged = {**lead.custom_fields, **{k: v for k, v in value.items() if v is not None}}
            if merged != lead.custom_fields:
                lead.custom_fields = merged
                changed.append(name)
        elif not is_empty(value) and getattr(lead, name) != value:
            setattr(lead, name, value)
            changed.append(name)
    return changed


def _publish_upserts(
    *, tenant, actor: Actor, created: list[Lead], changed: list[Lead], held: bool = False
) -> None:
    """`held`: the leads were created or read under a row lock by this transaction, so the
    instances are the rows as they stand and handlers need not read them again.

    Handlers get only what they use: the payloads, and for re-scoring and match keys the
    written instances and which leads are new."""
    publish_many("lead.created", tenant=tenant, items=[lead_payload(x) for x in created])
    touched = created + changed
    publish_many(
        "lead.profile_changed",
        tenant=tenant,
        items=[{"id": x.pk} for x in touched],
        written_leads=touched if held else (),
        new_ids=[x.pk for x in created],
    )


def _record_merge(lead: Lead, changed: list[str], actor: Actor) -> None:
    transition_record(
        lead=lead, action=TransitionAction.MERGE, from_stage=lead.stage, to_stage=lead.stage,
        actor=actor, note="Merged new data into: " + ", ".join(sorted(changed)),
    )  # fmt: skip


def _insert_if_new(lead: Lead) -> bool:
    """Insert `lead` unless its tenant has that e-mail already; returns whether it did.

    One statement (INSERT … ON CONFLICT DO NOTHING) where a read, a savepoint and an insert
    would take four round trips; concurrent requests for one address insert it once.
    """
    fields = [f for f in Lead._meta.concrete_fields if not f.primary_key]
    values = [f.get_db_prep_save(f.pre_save(lead, add=True), connection) for f in fields]
    quote = connection.ops.quote_name
    sql = (
        f"INSERT INTO {quote(Lead._meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) "
        f"VALUES ({', '.join(['%s'] * len(fields))}) "
        f"ON CONFLICT (tenant_id, email) DO NOTHING RETURNING id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        row = cursor.fetchone()
    if row is None:
        return False
    lead.pk = row[0]
    # Equivalent mutants (None for either): one database, whose alias None stands for, and a
    # primary key without a default, so `adding` changes no later save.
    lead._state.adding = False  # pragma: no mutate
    lead._state.db = connection.alias  # pragma: no mutate
    return True


def _touch(lead: Lead, campaign_id: int | None, at, source: str) -> None:
    if campaign_id:
        campaign_touches_record(
            tenant_id=lead.tenant_id, touches=[(lead.pk, campaign_id, at)], source=source
        )


@transaction.atomic
def lead_upsert(
    *, tenant, actor: Actor, data: CleanLead, touch_source: str = TouchSource.INGEST
) -> UpsertResult:
    """Create the lead with this e-mail, or merge `data` into the existing one. A campaign
    named in `data` joins the lead's campaign history (as `touch_source`)."""
    with events.recording() as published:
        result = _upsert(tenant=tenant, actor=actor, data=data, touch_source=touch_source)
    if published <= _OWN_EVENTS and result.lead.merged_into_id is None:
        result.lead.custom_fields = json_as_stored(result.lead.custom_fields)
        return replace(result, current=True)
    return result


def _upsert(*, tenant, actor: Actor, data: CleanLead, touch_source: str) -> UpsertResult:
    values = _model_values(data.fields)
    if values.get("campaign_id") and _check_campaigns({values["campaign_id"]}):
        raise LeadDataConflict({"campaign": [f"No campaign {values['campaign_id']} here."]})
    lead = Lead(tenant=tenant, email=data.email, stage_changed_at=timezone.now(), **values)
    if _insert_if_new(lead):
        # Touched when it was created: attribution credits the lead itself to the campaign.
        _touch(lead, values.get("campaign_id"), lead.created_at, touch_source)
        _publish_upserts(tenant=tenant, actor=actor, created=[lead], changed=[], held=True)
        return UpsertResult(lead=lead, created=True, changed_fields=tuple(values))
    # The address is taken (perhaps by a request that committed a moment ago): merge.
    # With its owner, so that the answer needs no further read.
    lead = (
        Lead.objects.select_for_update(of=("self",)).select_related("owner").get(email=data.email)
    )
    changed = _merge(lead, values)
    if changed:
        lead.save(update_fields=[*changed, "updated_at"])
        _record_merge(lead, changed, actor)
        _publish_upserts(tenant=tenant, actor=actor, created=[], changed=[lead], held=True)
    _touch(lead, values.get("campaign_id"), timezone.now(), touch_source)
    return UpsertResult(lead=lead, created=False, changed_fields=tuple(changed))


@transaction.atomic
def lead_update(*, lead: Lead, actor: Actor, data: CleanLead) -> UpsertResult:
    """PATCH: like a merge, but the lead is named by id and its e-mail may change."""
    values = _model_values(data.fields)
    if values.get("campaign_id") and _check_campaigns({values["campaign_id"]}):
        raise LeadDataConflict({"campaign": [f"No campaign {values['campaign_id']} here."]})
    if data.email and data.email != lead.email:
        # Another lead: this one has another address.
        if Lead.objects.filter(email=data.email).exists():
            raise LeadDataConflict({"email": [f"Another lead has the address {data.email}."]})
        values["email"] = data.email
    if "campaign_id" in values and values["campaign_id"] is None:
        lead.campaign_id = None
        values.pop("campaign_id")
        changed = ["campaign"]
    else:
        changed = []
    changed += _merge(lead, values)
    if changed:
        # "campaign" (cleared) and "campaign_id" (set) both name the field to Django.
        lead.save(update_fields=[*changed, "updated_at"])
        _record_merge(lead, changed, actor)
        _publish_upserts(tenant=lead.tenant_id, actor=actor, created=[], changed=[lead])
    if "campaign_id" in changed:
        _touch(lead, lead.campaign_id, timezone.now(), TouchSource.EDIT)
    return UpsertResult(lead=lead, created=False, changed_fields=tuple(changed))


def leads_bulk_upsert(
    *, tenant, actor: Actor, items: list[Any], touch_source: str = TouchSource.INGEST
) -> list[BulkItemResult]:
    """Upsert up to 1,000 leads. Each item is cleaned on its own, so one bad item does not
    sink the others; the good ones are written by one INSERT … ON CONFLICT (on PostgreSQL and
    on SQLite alike), each handler of their events runs once for the whole batch, and the
    campaigns they name join the campaign history in one more insert.
    """
    if len(items) > MAX_BULK_ITEMS:
        raise InvalidLeadData({"items": [f"At most {MAX_BULK_ITEMS} leads per request."]})
    results: dict[int, BulkItemResult] = {}
    by_email: dict[str, CleanLead] = {}
    indexes_by_email: dict[str, list[int]] = {}
    for index, raw in enumerate(items):
        clean, errors = clean_lead(raw)
        if errors:
            results[index] = BulkItemResult(index=index, status="error", errors=errors)
            continue
        previous = by_email.get(clean.email)
        by_email[clean.email] = previous.merged_with(clean) if previous else clean
        indexes_by_email.setdefault(clean.email, []).append(index)

    missing = _check_campaigns({c.fields["campaign"] for c in by_email.values()
                                if c.fields.get("campaign")})  # fmt: skip
    for email in [e for e, c in by_email.items() if c.fields.get("campaign") in missing]:
        for index in indexes_by_email.pop(email):
            message = f"No campaign {by_email[email].fields['campaign']} here."
            results[index] = BulkItemResult(
                index=index, status="error", email=email, errors={"campaign": [message]}
            )
        del by_email[email]

    if by_email:
        with transaction.atomic():
            outcome = _write_bulk(tenant=tenant, actor=actor, leads=list(by_email.values()),
                                  touch_source=touch_source)  # fmt: skip
        for email, (lead_id, status) in outcome.items():
            for position, index in enumerate(indexes_by_email[email]):
                # Later duplicates in one request were merged into the first.
                item_status = status if position == 0 else "updated"
                results[index] = BulkItemResult(
                    index=index, status=item_status, id=lead_id, email=email
                )
    return [results[index] for index in range(len(items))]


def _write_bulk(
    *, tenant, actor: Actor, leads: list[CleanLead], touch_source: str
) -> dict[str, tuple[int, str]]:
    now = timezone.now()
    written = bulk_upsert_rows(tenant_id=tenant.pk, leads=leads, now=now)
    created = [row for row in written if row.inserted]
    changed = [row for row in written if not row.inserted]
    if changed:
        _record_merges_bulk(tenant.pk, changed, {c.email: c for c in leads}, actor)
    # Bulk events carry ids, not model instances: handlers fetch what they need in one query.
    publish_many("lead.created", tenant=tenant, items=[row.payload() for row in created])
    publish_many("lead.profile_changed", tenant=tenant, items=[{"id": row.id} for row in written],
                 new_ids=[row.id for row in created])  # fmt: skip
    outcome = {row.email: (row.id, "created" if row.inserted else "updated") for row in written}
    unchanged_emails = [c.email for c in leads if c.email not in outcome]
    unchanged = dict(Lead.objects.filter(email__in=unchanged_emails).values_list("email", "pk"))
    outcome.update({email: (unchanged[email], "unchanged") for email in unchanged_emails})
    # `now` is the created_at of the rows inserted: a new lead is touched when it was created.
    campaign_touches_record(
        tenant_id=tenant.pk,
        touches=[(outcome[c.email][0], c.fields["campaign"], now) for c in leads
                 if c.fields.get("campaign")],
        source=touch_source,
    )  # fmt: skip
    return outcome


def _given(clean: CleanLead) -> list[str]:
    return sorted(name for name, value in clean.fields.items() if not is_empty(value))


def _record_merges_bulk(
    tenant_id: int, rows: list[WrittenLead], incoming: dict[str, CleanLead], actor: Actor
) -> None:
    now = timezone.now()
    StageTransition.objects.bulk_create(
        StageTransition(
            tenant_id=tenant_id, lead_id=row.id, action=TransitionAction.MERGE,
            from_stage=row.stage, to_stage=row.stage, actor=actor.user, actor_label=actor.label,
            note="Merged new data into: " + ", ".join(_given(incoming[row.email])),
            at=now,
        )
        for row in rows
    )  # fmt: skip
