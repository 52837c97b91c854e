"""A realistic demo tenant, built through the same services people and integrations use.

Meetings sits on top of the other apps, so the demo that exercises all of them lives here.
History is spread over the last eight weeks afterwards: each lead's rows move back by the
same number of days, so durations and order within a lead stay true.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal

from django.db.models import F
from django.utils import timezone

from leads.errors import AlreadyAccepted, IllegalTransition, StaleStage
from leads.models import Campaign, Lead, LeadEvent, Stage, StageTransition
from leads.services import (
    campaign_create,
    lead_accept,
    lead_events_record,
    lead_reject,
    lead_touch_log,
    lead_transition,
    leads_bulk_upsert,
)
from meetings.demo.data import (
    COMPANIES,
    COUNTRIES,
    ENGAGEMENT,
    FIRST,
    LAST,
    NOTES,
    PASSWORD,
    PEOPLE,
    REASONS,
    TITLES,
)
from meetings.services import action_item_create, meeting_agenda_generate, meeting_create
from personas.models import BuyerPersona
from personas.services import persona_approve, persona_create
from sla.models import Breach, Obligation, SlaStatus, SlaVersion
from sla.services import (
    cold_leads_sweep,
    sla_sweep,
    sla_version_activate,
    sla_version_sign,
    sla_version_update,
)
from smarketing.tenancy.actors import Actor
from smarketing.tenancy.models import Tenant
from smarketing.tenancy.scope import tenant_scope
from smarketing.tenancy.services import member_add, tenant_create


def seed_demo(*, slug: str, leads: int, say: Callable[[str], None], seed: int = 7) -> dict:
    rng = random.Random(seed)
    tenant = Tenant.objects.filter(slug=slug).first() or tenant_create(
        slug=slug, name="Acme Robotics", timezone_name="Europe/Rome", country="IT"
    )
    people = {
        name: member_add(
            tenant=tenant, email=f"{name}@{slug}.example", role=role, password=PASSWORD
        ).user
        for name, role in PEOPLE
    }
    actor = {
        name: Actor.member(user, role)
        for (name, role), user in zip(PEOPLE, people.values(), strict=True)
    }
    say(f"People: {len(people)} members, one of every role.")
    with tenant_scope(tenant):
        campaigns = _campaigns(tenant)
        _personas(tenant, actor)
        _sla(tenant, actor)
        say(f"Campaigns: {len(campaigns)}; personas approved by both teams; SLA active.")
        lead_ids = _leads(tenant, leads, campaigns, rng)
        _engagement(tenant, lead_ids, rng)
        say(f"Leads: {len(lead_ids)} with engagement; scores drove automatic MQLs and SQLs.")
        _work_the_funnel(lead_ids, actor, rng)
        say("Marketing flagged and handed off; sales accepted, rejected, touched, won and lost.")
        _spread_history(lead_ids, rng)
    sla_sweep(tenant_id=tenant.pk)
    cold_leads_sweep(tenant_id=tenant.pk)
    with tenant_scope(tenant):
        _overdue(tenant, rng)
        meeting = _meeting(tenant, actor)
    sla_sweep(tenant_id=tenant.pk)
    say(
        f"Breaches: {Breach.all_tenants.filter(tenant=tenant).count()}; meeting "
        f"'{meeting.title}' with its agenda."
    )
    return {
        "tenant": tenant.slug,
        "password": PASSWORD,
        "logins": {name: user.email for name, user in people.items()},
    }


def _campaigns(tenant) -> list[Campaign]:
    specs = [
        ("Spring webinar: lean plants", "webinar", "4200"),
        ("Search: logistics software", "paid_search", "9800"),
        ("Trade fair Milano", "event", "15000"),
        ("Ops playbook e-book", "content", "1800"),
    ]
    existing = {c.name: c for c in Campaign.objects.all()}
    return [
        existing.get(name)
        or campaign_create(
            tenant=tenant, data={"name": name, "channel": channel, "cost": Decimal(cost)}
        )
        for name, channel, cost in specs
    ]


def _personas(tenant, actor) -> None:
    if BuyerPersona.objects.exists():
        return
    specs = [
        {
            "name": "Operations lead in mid-size manufacturing",
            "summary": "Runs plants of 50 to 1,000 people; wants fewer stoppages.",
            "pains": ["Unplanned downtime", "Spreadsheets everywhere"],
            "goals": ["OEE up 10%"],
            "criteria": [
                {
                    "field": "industry",
                    "operator": "in",
                    "value": ["manufacturing", "logistics"],
                    "weight": 40,
                },
                {"field": "company_size", "operator": "range", "value": [50, 1000], "weight": 30},
                {
                    "field": "title",
                    "operator": "contains_any",
                    "value": ["operations", "coo", "plant"],
                    "weight": 20,
                },
                {"field": "country", "operator": "equals", "value": "IT", "weight": 10},
            ],
        },
        {
            "name": "IT director in logistics",
            "summary": "Owns the systems of a carrier or a 3PL.",
            "criteria": [
                {"field": "industry", "operator": "equals", "value": "logistics", "weight": 50},
                {
                    "field": "title",
                    "operator": "contains_any",
                    "value": ["it", "cto"],
                    "weight": 50,
                },
            ],
        },
    ]
    for spec in specs:
        persona = persona_create(tenant=tenant, actor=actor["giulia.marketing"], data=spec)
        persona_approve(persona=persona, actor=actor["giulia.marketing"])
        persona_approve(persona=persona, actor=actor["sara.sales"])


def _sla(tenant, actor) -> None:
    if SlaVersion.objects.filter(status=SlaStatus.ACTIVE).exists():
        return
    draft = SlaVersion.objects.filter(status=SlaStatus.DRAFT).order_by("number").first()
    draft = sla_version_update(
        version=draft,
        actor=actor["marco.manager"],
        data={
            "name": "2027 H1",
            "mql_threshold": 40,
            "sql_threshold": 70,
            "monthly_mql_target": 120,
            "monthly_sql_target": 50,
            "auto_recycle_cold": False,
            "reroute_on_breach": True,
        },
    )
    sla_version_sign(version=draft, actor=actor["giulia.marketing"], side="marketing")
    sla_version_sign(version=draft, actor=actor["sara.sales"], side="sales")
    sla_version_activate(version=draft, actor=actor["marco.manager"])


def _leads(tenant, count: int, campaigns: list[Campaign], rng: random.Random) -> list[int]:
    items = []
    for index in range(count):
        company, industry, size = rng.choice(COMPANIES)
        first, last = rng.choice(FIRST), rng.choice(LAST)
        items.append(
            {
                "email": f"{first}.{last}.{index}@{company.split()[0].lower()}.example".lower(),
                "first_name": first,
                "last_name": last,
                "company": company,
                "industry": industry,
                "company_size": size,
                "title": rng.choice(TITLES),
                "country": rng.choice(COUNTRIES),
                "campaign": rng.choice(campaigns).pk,
                "phone": f"+39 02 {rng.randint(1000000, 9999999)}",
            }
        )
    ids = []
    for start in range(0, len(items), 500):
        results = leads_bulk_upsert(
            tenant=tenant, actor=Actor.system(), items=items[start : start + 500]
        )
        ids += [r.id for r in results if r.id]
    return ids


def _engagement(tenant, lead_ids: list[int], rng: random.Random) -> None:
    now = timezone.now()
    events = []
    for lead_id in lead_ids:
        for _ in range(rng.choice([0, 0, 1, 2, 3, 5, 8])):
            events.append(
                {
                    "lead_id": lead_id,
                    "type": rng.choice(ENGAGEMENT),
                    "occurred_at": now - timedelta(hours=rng.randint(0, 300)),
                }
            )
    for start in range(0, len(events), 1000):
        lead_events_record(tenant=tenant, actor=Actor.system(), items=events[start : start + 1000])


def _try(action, *args, **kwargs):
    try:
        return action(*args, **kwargs)
    except (AlreadyAccepted, IllegalTransition, StaleStage):
        return None


def _work_the_funnel(lead_ids: list[int], actor, rng: random.Random) -> None:
    marketers = [actor["giulia.marketing"], actor["luca.marketing"]]
    reps = [actor["sara.sales"], actor["paolo.sales"], actor["elena.sales"]]
    for lead in Lead.objects.filter(pk__in=lead_ids, stage=Stage.LEAD):
        roll = rng.random()
        if roll < 0.35:
            _try(lead_transition, lead=lead, to=Stage.MQL, actor=rng.choice(marketers))
        elif roll < 0.42:
            _try(
                lead_transition,
                lead=lead,
                to=Stage.DISQUALIFIED,
                actor=rng.choice(marketers),
                reason_code="student",
                note="Not a buyer.",
            )
    for lead in Lead.objects.filter(pk__in=lead_ids, stage=Stage.MQL):
        if rng.random() < 0.6:
            _try(lead_transition, lead=lead, to=Stage.SQL, actor=rng.choice(marketers))
    for lead in Lead.objects.filter(pk__in=lead_ids, stage=Stage.SQL, accepted_at__isnull=True):
        roll, rep = rng.random(), rng.choice(reps)
        if roll < 0.2:
            continue  # left in the queue: some of these breach their deadline
        if roll < 0.4:
            _try(
                lead_reject,
                lead=lead,
                actor=rep,
                reason_code=rng.choice(REASONS),
                note=rng.choice(NOTES),
            )
            continue
        if _try(lead_accept, lead=lead, actor=rep) is None:
            continue
        if rng.random() < 0.8:
            lead_touch_log(
                lead=lead,
                actor=rep,
                type=rng.choice(["call", "email", "meeting"]),
                note="First conversation.",
            )
        if rng.random() < 0.55:
            _try(lead_transition, lead=lead, to=Stage.OPPORTUNITY, actor=rep)
            ending = rng.random()
            if ending < 0.45:
                _try(
                    lead_transition,
                    lead=lead,
                    to=Stage.WON,
                    actor=rep,
                    amount=Decimal(rng.randrange(8000, 90000, 500)),
                )
            elif ending < 0.7:
                _try(lead_transition, lead=lead, to=Stage.LOST, actor=rep, reason_code="competitor")


def _spread_history(lead_ids: list[int], rng: random.Random) -> None:
    by_offset: dict[int, list[int]] = {}
    for lead_id in lead_ids:
        by_offset.setdefault(rng.randint(0, 55), []).append(lead_id)
    for days, ids in by_offset.items():
        if not days:
            continue
        back = timedelta(days=days)
        Lead.objects.filter(pk__in=ids).update(
            created_at=F("created_at") - back,
            stage_changed_at=F("stage_changed_at") - back,
            accepted_at=F("accepted_at") - back,
            last_activity_at=F("last_activity_at") - back,
            accept_due_at=F("accept_due_at") - back,
            accept_warn_at=F("accept_warn_at") - back,
        )
        StageTransition.objects.filter(lead_id__in=ids).update(at=F("at") - back)
        LeadEvent.objects.filter(lead_id__in=ids).update(occurred_at=F("occurred_at") - back)
        Obligation.objects.filter(lead_id__in=ids).update(
            opened_at=F("opened_at") - back,
            due_at=F("due_at") - back,
            warn_at=F("warn_at") - back,
            met_at=F("met_at") - back,
            breached_at=F("breached_at") - back,
        )


def _overdue(tenant, rng: random.Random) -> None:
    """A few SQLs still waiting and already late: tomorrow's sweep would breach them too."""
    waiting = Lead.objects.filter(stage=Stage.SQL, accepted_at__isnull=True)[:3]
    for lead in waiting:
        Obligation.objects.filter(lead=lead, status="pending").update(
            due_at=timezone.now() - timedelta(minutes=rng.randint(5, 90))
        )


def _meeting(tenant, actor):
    now = timezone.now()
    meeting = meeting_create(
        tenant=tenant,
        actor=actor["marco.manager"],
        data={
            "title": "Weekly smarketing review",
            "scheduled_at": now + timedelta(days=1),
            "attendees": [
                actor[name].user.email
                for name in ("marco.manager", "giulia.marketing", "sara.sales")
            ],
        },
    )
    meeting_agenda_generate(meeting=meeting)
    action_item_create(
        meeting=meeting,
        actor=actor["marco.manager"],
        title="Tighten the webinar lead form (company size required)",
        owner_email=actor["giulia.marketing"].user.email,
        due_on=(now + timedelta(days=5)).date(),
    )
    return meeting
