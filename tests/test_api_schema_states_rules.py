"""Rules the OpenAPI document states, so a request it calls valid is taken.

Each rule here used to be refused by the services alone, and the property-based run
(tests/test_api_properties.py) found requests the document called valid answered 400. The
document now states the rule from the same constants the services check, and each test
holds the two to agreement: the statement is there, a value inside it is taken, a value
outside it refused.
"""

from __future__ import annotations

import re
from datetime import date

import pytest
from drf_spectacular.generators import SchemaGenerator

from leads.countries import country_names
from leads.merging.services import CHOICES, MERGE_FIELDS
from leads.webforms import services as webforms
from leads.webforms.api import NOT_BLANK, ORIGIN_PATTERN
from meetings.schedule import zone_of
from meetings.services import checks
from meetings.services.series import MAX_DURATION_MINUTES
from personas.input import MAX_CRITERIA
from personas.scoring import validate_criterion
from personas.serializers import CRITERION_FIELD_PATTERN
from sla.terms import COLD_STAGES, MAX_COLD_DAYS
from smarketing.periods import NAMED_PATTERN, InvalidPeriod, parse_named
from smarketing.tenancy.roles import Role
from tests.factories import TenantFactory
from tests.leads.factories import LeadFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def schemas():
    return SchemaGenerator().get_schema(request=None, public=True)["components"]["schemas"]


@pytest.fixture
def manager(tenant, api_client_for):
    return api_client_for(tenant, Role.MANAGER)


def test_the_schema_lists_every_country_code_the_api_takes(schemas, manager):
    country = schemas["LeadWriteRequest"]["properties"]["country"]
    codes, blank = country["anyOf"]
    assert set(codes["enum"]) == set(country_names()) and blank == {"maxLength": 0}
    last = max(country_names())
    taken = manager.post("/api/v1/leads/", {"email": "a@x.example", "country": last})
    assert taken.status_code == 201, taken.json()
    assert "XX" not in codes["enum"]
    refused = manager.post("/api/v1/leads/", {"email": "b@x.example", "country": "XX"})
    assert refused.status_code == 400 and "country" in refused.json()["errors"]
    # null is no text: the type outside the alternatives keeps it refused.
    assert country["type"] == "string"
    nothing = manager.post("/api/v1/leads/", {"email": "c@x.example", "country": None},
                           format="json")  # fmt: skip
    assert nothing.status_code == 400 and "country" in nothing.json()["errors"]


def test_cold_after_days_name_the_open_stages_with_their_bounds(schemas, manager):
    cold = schemas["SlaVersionWriteRequest"]["properties"]["cold_after_days"]
    assert set(cold["properties"]) == set(COLD_STAGES) and cold["additionalProperties"] is False
    assert {(p["minimum"], p["maximum"]) for p in cold["properties"].values()} == {
        (1, MAX_COLD_DAYS)
    }
    ok = manager.post("/api/v1/sla/", {"name": "A", "cold_after_days": {"sql": MAX_COLD_DAYS}},
                      format="json")  # fmt: skip
    assert ok.status_code == 201, ok.json()
    for days in ({"sql": 0}, {"won": 3}, {"sql": MAX_COLD_DAYS + 1}):
        refused = manager.post("/api/v1/sla/", {"name": "B", "cold_after_days": days},
                               format="json")  # fmt: skip
        assert refused.status_code == 400, days


def test_decimals_sent_as_numbers_state_their_places(schemas, manager):
    rate = schemas["SlaVersionWriteRequest"]["properties"]["min_acceptance_rate"]
    assert rate["multipleOf"] == 0.001
    body = {"name": "A", "min_acceptance_rate": 0.466, "accept_within_hours": 1.25}
    assert manager.post("/api/v1/sla/", body, format="json").status_code == 201
    refused = manager.post("/api/v1/sla/", {**body, "name": "B", "min_acceptance_rate": 0.4659},
                           format="json")  # fmt: skip
    assert refused.status_code == 400 and "min_acceptance_rate" in refused.json()["errors"]


def test_a_merge_may_choose_only_the_fields_the_schema_names(tenant, schemas, api_client_for):
    fields = schemas["MergeBodyRequest"]["properties"]["fields"]
    assert set(fields["properties"]) == set(MERGE_FIELDS)
    assert fields["additionalProperties"] is False
    assert {tuple(p["enum"]) for p in fields["properties"].values()} == {CHOICES}
    marketer = api_client_for(tenant, Role.MARKETER)
    survivor, other = LeadFactory(tenant=tenant), LeadFactory(tenant=tenant)
    url = f"/api/v1/leads/{survivor.pk}/merge/"
    refused = marketer.post(url, {"other": other.pk, "fields": {"stage": "other"}}, format="json")
    assert refused.status_code == 400
    merged = marketer.post(url, {"other": other.pk, "fields": {"company": "other"}}, format="json")
    assert merged.status_code == 200, merged.json()
    assert set(merged.json()) == {"lead", "merge"}  # the answer the schema now documents


@pytest.mark.parametrize(
    "label",
    ["0000-01", "0001-01", "0001-Q1", "0002-01", "2027-01", "2027-Q4", "9998-12", "9999-11",
     "9999-12", "9999-Q3", "9999-Q4", "2027-13", "2027-Q5", "27-01"],
)  # fmt: skip
def test_the_period_pattern_is_exactly_the_periods_the_api_reads(label):
    try:
        parse_named(label, tz_name="Pacific/Auckland")
        readable = True
    except InvalidPeriod:
        readable = False
    assert bool(re.match(NAMED_PATTERN, label)) is readable


def test_the_first_period_the_pattern_takes_is_scored_east_of_greenwich(api_client_for):
    tenant = TenantFactory(slug="auckland", timezone="Pacific/Auckland")
    manager = api_client_for(tenant, Role.MANAGER)
    assert re.match(NAMED_PATTERN, "0002-01") and not re.match(NAMED_PATTERN, "0001-12")
    assert manager.get("/api/v1/goals/scoreboard/?period=0002-01").status_code == 200
    assert manager.get("/api/v1/goals/scoreboard/?period=0001-12").status_code == 400


@pytest.mark.parametrize(
    "day", [date(1989, 12, 31), date(1990, 1, 1), date(2999, 12, 31), date(3000, 1, 1)]
)
def test_the_meeting_day_pattern_is_the_days_a_meeting_may_fall_on(day):
    try:
        checks.check_day(day, "due_on")
        allowed = True
    except checks.InvalidMeetingData:
        allowed = False
    assert bool(re.match(checks.DAY_PATTERN, day.isoformat())) is allowed


def test_a_series_states_its_duration_bounds_and_timezone_names(schemas):
    series = schemas["SeriesWriteRequest"]["properties"]
    duration = series["duration_minutes"]
    assert (duration["minimum"], duration["maximum"]) == (1, MAX_DURATION_MINUTES)
    zones = schemas["TimezoneEnum"]["enum"]
    assert "Europe/Rome" in zones and "Mars/Olympus" not in zones
    assert all(zone_of(name) is not None for name in zones)


@pytest.mark.parametrize(
    "field", ["industry", "company_size", "custom.plan", "custom. x", "custom.", "custom. ", "0"]
)
def test_the_criterion_field_pattern_agrees_with_the_scoring_rules(schemas, field):
    criteria = schemas["PersonaWriteRequest"]["properties"]["criteria"]
    assert criteria["maxItems"] == MAX_CRITERIA
    try:
        validate_criterion({"field": field, "operator": "equals", "value": "x", "weight": 1})
        valid = True
    except ValueError as error:
        valid = "Unknown field" not in str(error)
    assert bool(re.match(CRITERION_FIELD_PATTERN, field)) is valid


def test_a_form_name_is_blank_for_the_pattern_exactly_when_the_service_finds_it_blank():
    # Every character of the Basic Multilingual Plane: white space as Python's split() sees
    # it (what the service collapses) is what the pattern refuses, no more, no less.
    for code in range(0x10000):
        if 0xD800 <= code <= 0xDFFF:
            continue
        text = chr(code)
        assert bool(re.search(NOT_BLANK, text)) is bool(text.split()), hex(code)


@pytest.mark.parametrize(
    "origin",
    ["https://www.acme.example", "http://localhost:8000/", "https://a.example/contact",
     "ftp://a.example", "https://", "www.acme.example", "https://a.example?x=1"],
)  # fmt: skip
def test_an_origin_the_pattern_takes_is_one_the_service_takes(origin):
    if re.match(ORIGIN_PATTERN, origin):
        assert webforms._origin_problem(origin) is None
    else:
        assert webforms._origin_problem(origin) is not None
