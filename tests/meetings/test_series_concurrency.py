"""Planners racing on PostgreSQL: beat may run the series planner on two workers at once."""

import threading
from datetime import date, time

import pytest
from django.db import connections

from meetings.models import Meeting
from meetings.services import series_plan_due
from tests.meetings.factories import MeetingSeriesFactory, SeriesAttendeeFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_planners_running_at_once_plan_each_meeting_once(tenant):
    for weekday in range(5):
        series = MeetingSeriesFactory(tenant=tenant, weekday=weekday, time=time(9, 30),
                                      anchor_on=date.today())  # fmt: skip
        SeriesAttendeeFactory(tenant=tenant, series=series)
    start = threading.Barrier(4)
    counts: list[int] = []
    errors: list[BaseException] = []

    def plan() -> None:
        try:
            start.wait()
            counts.append(series_plan_due())
        except BaseException as error:  # surfaced below, with the thread's failure
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=plan) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    days = list(Meeting.all_tenants.values_list("series_id", "occurs_on"))
    assert len(days) == len(set(days)) and days
    assert sum(counts) == len(days)
