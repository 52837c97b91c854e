"""Fixtures of web forms, duplicates and merges."""

import pytest
from django.test import Client

from smarketing.api import throttling
from smarketing.shared_redis import shared_redis
from smarketing.tenancy.roles import Role
from tests.leads.factories import CampaignFactory, WebFormFactory


def forget_form_meters():
    store = throttling.meter_store()
    if isinstance(store, throttling.LocalMeters):
        store.clear()
    else:
        for name in shared_redis().scan_iter(match="throttle:webform:*"):
            shared_redis().delete(name)


@pytest.fixture(autouse=True)
def fresh_meters(settings, monkeypatch):
    """Rate meters start empty; generous unless a test lowers them. No fill time by default."""
    monkeypatch.setattr(throttling, "_store_down_until", 0.0)
    settings.WEBFORM_RATES = {"address": "1000/min", "form": "1000/min"}
    settings.WEBFORM_MIN_FILL_SECONDS = 0
    forget_form_meters()
    yield
    forget_form_meters()


@pytest.fixture
def campaign(tenant):
    return CampaignFactory(tenant=tenant, name="Spring webinar", slug="spring-webinar")


@pytest.fixture
def web_form(tenant, campaign):
    return WebFormFactory(
        tenant=tenant, name="Contact us", campaign=campaign,
        fields=["email", "first_name", "last_name", "company"], required=["email", "first_name"],
        consent_text="I agree that Acme may contact me.", consent_version=1,
        allowed_origins=["https://www.acme.example"], thank_you_message="Thanks, talk soon.",
    )  # fmt: skip


@pytest.fixture
def public():
    """A client with no login, as a visitor of the company's site."""
    return Client(enforce_csrf_checks=True)


@pytest.fixture
def page_as(tenant, member):
    def make(role):
        client = Client()
        client.force_login(member(tenant, role))
        return client

    return make


ORIGIN = "https://www.acme.example"
MARKETER = Role.MARKETER


@pytest.fixture
def media_root(settings, tmp_path):
    """Uploaded files go to a fresh folder of the test."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
