"""Checks every meeting write shares: text, members of the tenant, days and periods."""

from __future__ import annotations

from datetime import date
from typing import Any

from meetings.errors import InvalidMeetingData, MeetingDataConflict
from smarketing.tenancy.models import Tenant
from smarketing.tenancy.selectors import members_of

DEFAULT_PERIOD_DAYS = 7
MAX_PERIOD_DAYS = 366
# Days a meeting may fall on or cover: the agenda also reads the period before, so a bound
# well inside the calendar keeps that arithmetic from running off either end.
EARLIEST, LATEST = date(1990, 1, 1), date(2999, 12, 31)
# The same bound as the API's schema states it: a day of the years 1990 to 2999.
DAY_PATTERN = r"^(199[0-9]|2[0-9]{3})-"
TEXT_MAX = 5000
NOTES_MAX = 20000


def clean_text(value: Any, field: str, *, max_length: int, required: bool = True) -> str:
    text = str(value or "").strip()
    if required and not text:
        raise InvalidMeetingData({field: ["This field may not be blank."]})
    if len(text) > max_length:
        raise InvalidMeetingData({field: [f"At most {max_length} characters."]})
    return text


def member_users(tenant: Tenant, emails: list[str], field: str) -> list:
    """The tenant's members with these e-mails; anyone else is a conflict with the tenant's
    members (409): the address is well-formed, the person is not here (yet)."""
    wanted = list(dict.fromkeys(email.strip().lower() for email in emails))
    found = {m.user.email.lower(): m.user for m in members_of(tenant=tenant)
             .filter(user__email__in=wanted)}  # fmt: skip
    missing = [email for email in wanted if email not in found]
    if missing:
        raise MeetingDataConflict({field: [f"{missing[0]} is not a member of this tenant."]})
    return [found[email] for email in wanted]


def check_day(value: date, field: str) -> None:
    if not EARLIEST <= value <= LATEST:
        raise InvalidMeetingData({field: [f"A day between {EARLIEST} and {LATEST}."]})


def check_period(start: date, end: date) -> None:
    check_day(start, "period_start")
    check_day(end, "period_end")
    if end < start:
        raise InvalidMeetingData({"period_end": ["The period ends before it starts."]})
    if (end - start).days >= MAX_PERIOD_DAYS:
        raise InvalidMeetingData({"period_start": [f"At most {MAX_PERIOD_DAYS} days."]})
