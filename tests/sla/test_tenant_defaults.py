"""A new tenant starts with its office hours and a default SLA draft (contract: create_tenant)."""

from datetime import datetime, timedelta
from io import StringIO

import pytest
from django.core.management import call_command

from sla.calendar import add_business_time
from sla.models import SlaStatus, SlaVersion, TenantCalendar
from smarketing.tenancy.models import Tenant
from smarketing.tenancy.services import tenant_create

pytestmark = pytest.mark.django_db


def test_create_tenant_adds_office_hours_and_a_default_sla_draft():
    out = StringIO()
    call_command("create_tenant", "bottega", name="Bottega", timezone="Europe/Rome",
                 country="it", stdout=out)  # fmt: skip
    tenant = Tenant.objects.get(slug="bottega")
    office = TenantCalendar.all_tenants.get(tenant=tenant, is_default=True)
    assert office.definition["timezone"] == "Europe/Rome"
    assert office.definition["holiday_country"] == "IT"
    assert office.definition["working_hours"]["mon"] == [["09:00", "18:00"]]
    assert office.definition["working_hours"]["sat"] == []
    draft = SlaVersion.all_tenants.get(tenant=tenant)
    assert (draft.status, draft.number, draft.name) == (SlaStatus.DRAFT, 1, "Default SLA")
    assert draft.calendar == office.definition
    # Christmas Eve 2027 is a Friday; Christmas and St Stephen's fall on the weekend, so the
    # calendar opens again on Monday the 27th.
    friday = datetime.fromisoformat("2027-12-24T17:00:00+01:00")
    due = add_business_time(friday, timedelta(hours=2), office.business_calendar())
    assert due == datetime.fromisoformat("2027-12-27T10:00:00+01:00")


def test_a_country_without_known_holidays_still_gets_office_hours():
    tenant = tenant_create(slug="nowhere", name="Nowhere", timezone_name="Asia/Tokyo", country="")
    office = TenantCalendar.all_tenants.get(tenant=tenant)
    assert office.definition["timezone"] == "Asia/Tokyo"
    assert office.definition["holiday_country"] is None
