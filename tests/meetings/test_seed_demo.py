from io import StringIO

import pytest
from django.core.management import call_command

from leads.models import Lead, StageTransition
from meetings.models import AgendaItem, Meeting
from sla.models import Breach, SlaVersion
from smarketing.tenancy.models import Membership

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
    meeting = Meeting.all_tenants.get(tenant__slug="demo")
    assert AgendaItem.all_tenants.filter(meeting=meeting).exists()
