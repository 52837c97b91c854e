"""The series pages: create and edit a series in a form, errors beside their field."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from meetings.models import MeetingSeries
from smarketing.tenancy.roles import Role
from tests.meetings.factories import MeetingSeriesFactory, SeriesAttendeeFactory

pytestmark = pytest.mark.django_db

ROME = ZoneInfo("Europe/Rome")


def form(**changes) -> dict:
    return {"name": "Weekly alignment", "cadence": "weekly", "weekday": "0", "time": "10:00",
            "duration_minutes": "45", "timezone": "Europe/Rome",
            "attendees": ["rep@acme.example"], **changes}  # fmt: skip


@pytest.fixture
def page(tenant, member, clock):
    clock.set(datetime(2027, 3, 1, 9, 0, tzinfo=ROME))
    member(tenant, Role.SALES_REP, email="rep@acme.example")
    client = Client()
    client.force_login(member(tenant, Role.MANAGER, email="boss@acme.example"))
    return client


def test_a_manager_creates_a_series_from_the_page(tenant, page):
    response = page.post(f"/t/{tenant.slug}/meetings/series/", form())

    assert response.status_code == 302
    series = MeetingSeries.all_tenants.get()
    assert (series.name, series.weekday, series.time.isoformat()) == ("Weekly alignment", 0,
                                                                      "10:00:00")  # fmt: skip
    listed = page.get(f"/t/{tenant.slug}/meetings/series/").content.decode()
    assert "Weekly alignment" in listed and "rep@acme.example" in listed


def test_a_time_the_clocks_skip_is_shown_beside_the_time_field(tenant, page):
    response = page.post(f"/t/{tenant.slug}/meetings/series/", form(weekday="6", time="02:30"))

    assert response.status_code == 400
    html = response.content.decode()
    time_label = html[html.index('for="id_time"') : html.index('for="id_duration_minutes"')]
    assert "02:30 does not exist on 2027-03-28 in Europe/Rome" in time_label
    assert not MeetingSeries.all_tenants.exists()


def test_a_duration_below_one_minute_is_shown_beside_its_field(tenant, page):
    response = page.post(f"/t/{tenant.slug}/meetings/series/", form(duration_minutes="0"))

    html = response.content.decode()
    field = html[html.index('for="id_duration_minutes"') : html.index('for="id_timezone"')]
    assert "The meeting would end before it starts" in field


def test_editing_a_series_from_its_page_changes_it(tenant, page):
    page.post(f"/t/{tenant.slug}/meetings/series/", form())
    series = MeetingSeries.all_tenants.get()

    response = page.post(
        f"/t/{tenant.slug}/meetings/series/{series.pk}/",
        form(name="Alignment", time="11:00", active="on"),
    )

    assert response.status_code == 302
    series.refresh_from_db()
    assert (series.name, series.time.isoformat()) == ("Alignment", "11:00:00")


def test_the_series_list_reads_a_fixed_number_of_queries(tenant, api_client_for):
    api = api_client_for(tenant, Role.MANAGER)
    SeriesAttendeeFactory(tenant=tenant, series=MeetingSeriesFactory(tenant=tenant))

    def queries() -> list[str]:
        with CaptureQueriesContext(connection) as captured:
            assert api.get("/api/v1/meetings/series/").status_code == 200
        return [q["sql"] for q in captured]

    queries()  # the key's first use of the day is written once
    one = len(queries())
    for _ in range(4):
        SeriesAttendeeFactory(tenant=tenant, series=MeetingSeriesFactory(tenant=tenant))

    assert len(queries()) == one
