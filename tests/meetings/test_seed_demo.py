from datetime import timedelta
from io import StringIO
from statistics import median
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.utils import timezone

from leads.models import Lead, LeadEvent, StageTransition
from meetings.demo.data import REJECTIONS
from meetings.models import AgendaItem, Meeting
from sla.models import Breach, Obligation, SlaVersion
from smarketing.tenancy.models import Membership, Tenant
from smarketing.tenancy.scope import tenant_scope

pytestmark = pytest.mark.django_db


def test_seed_demo_builds_a_tenant_with_every_part_of_the_product():
    out = StringIO()
    call_command("seed_demo", "--tenant", "demo", "--leads", "60", stdout=out)
    assert "smarketing-demo" in out.getvalue()
    roles = set(Membership.all_tenants.filter(tenant__slug="demo").values_list("role", flat=True))
    assert roles == {"admin", "manager", "marketer", "sales_rep"}
    stages = set(Lead.all_tenants.filter(tenant__slug="demo").values_list("stage", flat=True))
    assert {"lead", "mql", "sql", "won"} <= stages
    assert StageTransition.all_tenants.filter(action="reject").exists()
    assert SlaVersion.all_tenants.filter(tenant__slug="demo", status="active").count() == 1
    assert Breach.all_tenants.filter(tenant__slug="demo").exists()
    meeting = Meeting.all_tenants.get(tenant__slug="demo", series__isnull=True)
    assert AgendaItem.all_tenants.filter(meeting=meeting).exists()
    planned = Meeting.all_tenants.get(tenant__slug="demo", series__name__startswith="Monthly")
    assert AgendaItem.all_tenants.filter(meeting=planned).exists()


def test_the_demo_is_a_working_day_of_a_believable_company():
    call_command("seed_demo", "--tenant", "demo", "--leads", "80", stdout=StringIO())
    now = timezone.now()
    tenant = Tenant.objects.get(slug="demo")
    zone = ZoneInfo(tenant.timezone)
    with tenant_scope(tenant):
        # Sales answered hand-offs some business hours later, not in the same instant.
        met = Obligation.objects.filter(kind="accept", status="met")
        assert met.exists()
        assert median(o.response_business_hours for o in met) >= 0.5
        # What still waits in the queue was handed off lately: nothing months overdue.
        waiting = Lead.objects.filter(stage="sql", accepted_at__isnull=True)
        assert all(lead.accept_due_at > now - timedelta(days=3) for lead in waiting)
        # People work in business hours: touches and the meeting fall between 8 and 19.
        touches = LeadEvent.objects.filter(type__in=["call", "email", "meeting"])
        hours = {event.occurred_at.astimezone(zone).hour for event in touches}
        assert hours and hours <= set(range(8, 19))
        meeting = Meeting.objects.get(series__isnull=True)
        assert meeting.scheduled_at.astimezone(zone).hour == 10
        assert meeting.scheduled_at > now
        # A rejection's note says the same as its reason.
        rejections = StageTransition.objects.filter(action="reject")
        assert rejections.exists()
        for reject in rejections:
            assert reject.note in [note for code, note in REJECTIONS if code == reject.reason_code]
        # Events say what they were about (the lead page shows it).
        assert LeadEvent.objects.exclude(properties={}).filter(type="page_view").exists()
