"""A realistic demo tenant, built through the same services people and integrations use.

Meetings sits on top of the other apps, so the demo that exercises all of them lives here.
History is spread over the last eight weeks afterwards: each lead's rows move back by the
same number of days, so durations and order within a lead stay true.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.utils import timezone

from leads.errors import AlreadyAccepted, IllegalTransition, StaleStage
from leads.models import Campaign, Lead, Stage
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
    EVENT_PROPERTIES,
    FIRST,
    LAST,
    PASSWORD,
    PEOPLE,
    REJECTIONS,
    TITLES,
)
from meetings.demo.timeline import after, at, before, business_moment
from meetings.services import (
    action_item_create,
    meeting_agenda_generate,
    meeting_create,
    series_create,
)
from personas.models import BuyerPersona
from personas.services import persona_approve, persona_create
from sla.calendar import BusinessCalendar, business_time_between
from sla.goals.metrics import GoalMetric, GoalOwner
from sla.goals.services import goal_create, goal_sign
from sla.models import Breach, Goal, SlaStatus, SlaVersion
from sla.services import (
    cold_leads_sweep,
    sla_sweep,
    sla_version_activate,
    sla_version_sign,
    sla_version_update,
)
from smarketing.periods import current_month, quarter_of
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
        calendar = SlaVersion.objects.get(status=SlaStatus.ACTIVE).business_calendar()
        now = timezone.now()
        lead_ids = _leads(tenant, leads, campaigns, rng)
        _engagement(tenant, lead_ids, rng, calendar, now)
        say(f"Leads: {len(lead_ids)} with engagement; scores drove automatic MQLs and SQLs.")
        _work_the_funnel(lead_ids, actor, rng, calendar, now)
        say("Marketing flagged and handed off; sales accepted, rejected, touched, won and lost.")
        _goals(tenant, actor)
        say("Goals: this month's and this quarter's, most signed by both teams.")
    sla_sweep(tenant_id=tenant.pk)
    cold_leads_sweep(tenant_id=tenant.pk)
    with tenant_scope(tenant):
        meeting = _meeting(tenant, actor, calendar, now)
        _series(tenant, actor)
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


def _goals(tenant, actor) -> None:
    """This month's and this quarter's shared goals; one awaits sales, one awaits both."""
    month = current_month(tenant.timezone)
    quarter = quarter_of(month.first_day, tenant.timezone)
    specs = [
        (month, GoalMetric.MQLS, 120, GoalOwner.MARKETING, ("marketing", "sales")),
        (month, GoalMetric.SQL_HANDOFFS, 50, GoalOwner.MARKETING, ("marketing", "sales")),
        (month, GoalMetric.ACCEPTANCE_RATE, Decimal("0.6"), GoalOwner.BOTH, ()),
        (month, GoalMetric.PIPELINE, 400000, GoalOwner.SALES, ("marketing",)),
        (quarter, GoalMetric.WON_REVENUE, 600000, GoalOwner.SALES, ("marketing", "sales")),
    ]
    signers = {"marketing": actor["giulia.marketing"], "sales": actor["sara.sales"]}
    for period, metric, target, owner, sides in specs:
        if Goal.objects.filter(period=period.label, metric=metric).exists():
            continue
        goal = goal_create(tenant=tenant, actor=actor["marco.manager"], period=period.label,
                           metric=metric, target=target, owner=owner)  # fmt: skip
        for side in sides:
            goal_sign(goal=goal, actor=signers[side])


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


def _engagement(
    tenant, lead_ids: list[int], rng: random.Random, calendar: BusinessCalendar, now
) -> None:
    """Each lead arrives on a working day of the last eight weeks and engages over the next
    hours; its events are recorded as they end, so automatic MQLs and SQLs carry that time."""
    for lead_id in lead_ids:
        arrived = business_moment(calendar, now, rng.choice(DAYS_BACK), rng)
        Lead.objects.filter(pk=lead_id).update(created_at=arrived)
        events, moment = [], arrived
        for _ in range(rng.choice([0, 0, 1, 2, 3, 5, 8])):
            latest = now - timedelta(minutes=rng.randint(5, 180))  # not all at this minute
            moment = max(arrived, min(moment + timedelta(minutes=rng.randint(3, 240)), latest))
            kind = rng.choice(ENGAGEMENT)
            events.append({"lead_id": lead_id, "type": kind, "occurred_at": moment,
                           "properties": dict(rng.choice(EVENT_PROPERTIES[kind]))})  # fmt: skip
        if events:
            with at(moment):
                lead_events_record(tenant=tenant, actor=Actor.system(), items=events)


# How long ago leads arrived, in days: more of them recently, none in the future.
DAYS_BACK = [0, 1, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 12, 14, 16, 18, 21, 24, 28, 32, 36, 40, 45, 50]


def _try(action, *args, **kwargs):
    try:
        return action(*args, **kwargs)
    except (AlreadyAccepted, IllegalTransition, StaleStage):
        return None


class _Story:
    """One lead's next steps, each some business hours after the last, never past now."""

    def __init__(self, lead: Lead, calendar: BusinessCalendar, now, rng: random.Random):
        self.lead, self.calendar, self.now, self.rng = lead, calendar, now, rng
        self.moment = max(lead.stage_changed_at or lead.created_at, lead.created_at)

    def next(self, low_hours: float, high_hours: float):
        """The moment of the next step, or None when it would lie in the future."""
        moment = after(self.moment, self.rng.uniform(low_hours, high_hours), self.calendar)
        if moment > before(self.now, 0.1, self.calendar):
            return None
        self.moment = moment
        return at(moment)


def _work_the_funnel(
    lead_ids: list[int], actor, rng: random.Random, calendar: BusinessCalendar, now
) -> None:
    marketers = [actor["giulia.marketing"], actor["luca.marketing"]]
    reps = [actor["sara.sales"], actor["paolo.sales"], actor["elena.sales"]]
    for lead in Lead.objects.filter(pk__in=lead_ids).order_by("id"):
        story = _Story(lead, calendar, now, rng)
        if lead.stage == Stage.LEAD:
            roll = rng.random()
            if roll < 0.35 and (step := story.next(0.5, 6)):
                with step:
                    _try(lead_transition, lead=lead, to=Stage.MQL, actor=rng.choice(marketers))
            elif roll < 0.42 and (step := story.next(0.5, 6)):
                with step:
                    _try(lead_transition, lead=lead, to=Stage.DISQUALIFIED,
                         actor=rng.choice(marketers), reason_code="student",
                         note="A student writing a thesis, not a buyer.")  # fmt: skip
        if lead.stage == Stage.MQL and rng.random() < 0.7 and (step := story.next(0.5, 8)):
            with step:
                _try(lead_transition, lead=lead, to=Stage.SQL, actor=rng.choice(marketers))
        if lead.stage == Stage.SQL and lead.accepted_at is None:
            _sales(lead, story, reps, rng, calendar, now)


def _sales(lead: Lead, story: _Story, reps, rng: random.Random, calendar, now) -> None:
    """Sales answers the hand-off: SQLs handed off in the last business day may still wait
    (a few of them past their deadline); older ones were accepted or rejected."""
    waiting_for = business_time_between(story.moment, now, calendar)
    if waiting_for < timedelta(hours=9) and rng.random() < 0.7:
        return  # in the queue now
    rep = rng.choice(reps)
    # Mostly within the four hours the SLA gives, now and then late.
    answer = story.next(*rng.choice([(0.2, 1.5), (0.5, 3), (1, 3.8), (4.5, 7)]))
    if answer is None:
        return
    if rng.random() < 0.2:
        reason, note = rng.choice(REJECTIONS)
        with answer:
            _try(lead_reject, lead=lead, actor=rep, reason_code=reason, note=note)
        return
    with answer:
        if _try(lead_accept, lead=lead, actor=rep) is None:
            return
    if rng.random() < 0.8 and (step := story.next(0.3, 6)):
        with step:
            lead_touch_log(lead=lead, actor=rep, type=rng.choice(["call", "email", "meeting"]),
                           note="First conversation: needs and timing.")  # fmt: skip
    if rng.random() < 0.65 and (step := story.next(4, 30)):
        with step:
            # The expected deal value, from the lead's id so the random story stays the same.
            expected = Decimal(10000 + lead.pk * 7919 % 80000)
            _try(lead_transition, lead=lead, to=Stage.OPPORTUNITY, actor=rep, amount=expected)
        ending = rng.random()
        if ending < 0.55 and (step := story.next(9, 60)):
            with step:
                _try(lead_transition, lead=lead, to=Stage.WON, actor=rep,
                     amount=Decimal(rng.randrange(8000, 90000, 500)))  # fmt: skip
        elif ending < 0.8 and (step := story.next(9, 60)):
            with step:
                _try(lead_transition, lead=lead, to=Stage.LOST, actor=rep,
                     reason_code="competitor", note="Chose a competitor's offer.")  # fmt: skip


def _meeting(tenant, actor, calendar: BusinessCalendar, now):
    """The weekly review: the next working day at 10:00 in the tenant's time."""
    zone = ZoneInfo(tenant.timezone or "UTC")
    day = after(now, 9, calendar).astimezone(zone).date()
    scheduled = datetime.combine(day, time(10, 0), tzinfo=zone)
    meeting = meeting_create(
        tenant=tenant,
        actor=actor["marco.manager"],
        data={
            "title": "Weekly smarketing review",
            "scheduled_at": scheduled,
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
        due_on=(scheduled + timedelta(days=5)).date(),
    )
    return meeting


def _series(tenant, actor) -> None:
    """The monthly alignment of both teams, planned ahead by the series planner."""
    series_create(
        tenant=tenant,
        actor=actor["marco.manager"],
        data={
            "name": "Monthly smarketing alignment", "cadence": "monthly", "weekday": 1,
            "time": time(10, 0), "duration_minutes": 60, "timezone": tenant.timezone or "UTC",
            "attendees": [actor[name].user.email for name in ("giulia.marketing", "sara.sales")],
        },
    )  # fmt: skip
