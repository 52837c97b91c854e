"""Factories of the meetings app. Each takes `tenant`; people are members of that tenant."""

import secrets
from datetime import date, time, timedelta

import factory
from django.utils import timezone

from meetings.models import (
    ActionItem,
    AgendaItem,
    Attendee,
    CalendarFeed,
    Decision,
    Meeting,
    MeetingSeries,
    SeriesAttendee,
)
from tests.factories import MembershipFactory, TenantFactory, TenantScopedFactory


def _member_of(tenant):
    return MembershipFactory(tenant=tenant).user


class MeetingFactory(TenantScopedFactory):
    class Meta:
        model = Meeting

    tenant = factory.SubFactory(TenantFactory)
    title = factory.Sequence(lambda n: f"Weekly alignment {n}")
    scheduled_at = factory.LazyFunction(timezone.now)
    period_end = factory.LazyAttribute(lambda o: o.scheduled_at.date() - timedelta(days=1))
    period_start = factory.LazyAttribute(lambda o: o.period_end - timedelta(days=6))


class AttendeeFactory(TenantScopedFactory):
    class Meta:
        model = Attendee

    tenant = factory.SubFactory(TenantFactory)
    meeting = factory.SubFactory(MeetingFactory, tenant=factory.SelfAttribute("..tenant"))
    user = factory.LazyAttribute(lambda o: _member_of(o.tenant))


class AgendaItemFactory(TenantScopedFactory):
    class Meta:
        model = AgendaItem

    tenant = factory.SubFactory(TenantFactory)
    meeting = factory.SubFactory(MeetingFactory, tenant=factory.SelfAttribute("..tenant"))
    position = factory.Sequence(lambda n: n + 1)
    kind = "acceptance"
    title = "Acceptance rate 48% — below the 60% agreed"
    figures = factory.LazyFunction(lambda: {"rate": 0.48, "accepted": 12, "rejected": 13})


class DecisionFactory(TenantScopedFactory):
    class Meta:
        model = Decision

    tenant = factory.SubFactory(TenantFactory)
    meeting = factory.SubFactory(MeetingFactory, tenant=factory.SelfAttribute("..tenant"))
    text = "Webinar leads go to nurture first."
    decided_by = factory.LazyAttribute(lambda o: _member_of(o.tenant))


class ActionItemFactory(TenantScopedFactory):
    class Meta:
        model = ActionItem

    tenant = factory.SubFactory(TenantFactory)
    meeting = factory.SubFactory(MeetingFactory, tenant=factory.SelfAttribute("..tenant"))
    title = factory.Sequence(lambda n: f"Follow up {n}")
    owner = factory.LazyAttribute(lambda o: _member_of(o.tenant))
    due_on = factory.LazyFunction(lambda: date.today() + timedelta(days=7))


class MeetingSeriesFactory(TenantScopedFactory):
    class Meta:
        model = MeetingSeries

    tenant = factory.SubFactory(TenantFactory)
    name = factory.Sequence(lambda n: f"Weekly alignment series {n}")
    cadence = "weekly"
    weekday = 0
    time = time(10, 0)
    duration_minutes = 45
    timezone = "Europe/Rome"
    anchor_on = factory.LazyFunction(date.today)


class SeriesAttendeeFactory(TenantScopedFactory):
    class Meta:
        model = SeriesAttendee

    tenant = factory.SubFactory(TenantFactory)
    series = factory.SubFactory(MeetingSeriesFactory, tenant=factory.SelfAttribute("..tenant"))
    user = factory.LazyAttribute(lambda o: _member_of(o.tenant))


class CalendarFeedFactory(TenantScopedFactory):
    class Meta:
        model = CalendarFeed

    tenant = factory.SubFactory(TenantFactory)
    user = factory.LazyAttribute(lambda o: _member_of(o.tenant))
    nonce = factory.LazyFunction(lambda: secrets.token_hex(12))
