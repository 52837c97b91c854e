"""The tenant's own settings: how they are cleaned, who may change them, the API and the page
(smarketing/tenancy/tenant_settings.py, pages/general.py)."""

from __future__ import annotations

import pytest

from smarketing.tenancy.actors import Actor
from smarketing.tenancy.audit_models import AuditEntry
from smarketing.tenancy.errors import InvalidSettings, NotAdmin
from smarketing.tenancy.models import Tenant
from smarketing.tenancy.roles import Role
from smarketing.tenancy.scope import tenant_scope
from smarketing.tenancy.tenant_settings import clean_tenant_settings, tenant_update


def test_settings_are_cleaned_and_each_bad_one_is_named():
    values, errors = clean_tenant_settings(
        {"name": "  Acme Robotics ", "timezone": " Europe/Rome ", "country": " it "}
    )
    assert values == {"name": "Acme Robotics", "timezone": "Europe/Rome", "country": "IT"}
    assert errors == {}
    assert clean_tenant_settings({"name": "n" * 200}) == ({"name": "n" * 200}, {})
    assert clean_tenant_settings({"country": None}) == ({"country": ""}, {})
    assert clean_tenant_settings({}) == ({}, {})
    _, errors = clean_tenant_settings(
        {"name": "n" * 201, "timezone": "Mars/Olympus", "country": "xx"}
    )
    assert errors == {
        "name": ["A name of 1 to 200 characters."],
        "timezone": ["Unknown time zone 'Mars/Olympus'; e.g. Europe/Rome."],
        "country": ["'XX' is no ISO 3166 alpha-2 country code (e.g. IT)."],
    }
    _, errors = clean_tenant_settings({"name": None, "timezone": None})
    assert errors == {
        "name": ["A name of 1 to 200 characters."],
        "timezone": ["Unknown time zone ''; e.g. Europe/Rome."],
    }


@pytest.mark.django_db
def test_only_admins_change_the_tenant_and_a_change_is_audited_once(tenant, admin, member):
    manager = Actor.member(member(tenant, Role.MANAGER), Role.MANAGER)
    with tenant_scope(tenant), pytest.raises(NotAdmin) as refused:
        tenant_update(tenant=tenant, actor=manager, data={"name": "X"})
    assert refused.value.detail == "Only admins change the tenant's settings."
    actor = Actor.member(admin, Role.ADMIN)
    with tenant_scope(tenant), pytest.raises(InvalidSettings) as invalid:
        tenant_update(tenant=tenant, actor=actor, data={"name": ""})
    assert invalid.value.errors == {"name": ["A name of 1 to 200 characters."]}
    with tenant_scope(tenant):
        changed = tenant_update(
            tenant=tenant, actor=actor, data={"name": "Acme 2", "country": "IT"}
        )
        tenant_update(tenant=tenant, actor=actor, data={"name": "Acme 2"})
        entries = list(AuditEntry.objects.filter(action="tenant.updated"))
    assert changed.name == "Acme 2" and Tenant.objects.get(pk=tenant.pk).name == "Acme 2"
    assert len(entries) == 1 and entries[0].changes == {"name": ["Acme", "Acme 2"]}
    assert entries[0].target_type == "tenant" and entries[0].target_id == str(tenant.pk)


@pytest.mark.django_db
def test_the_settings_api_takes_only_an_object_of_known_fields(tenant, admin_api):
    listed = admin_api.patch("/api/v1/tenant/", ["name"], format="json")
    assert listed.status_code == 400 and listed.json()["code"] == "invalid"
    unknown = admin_api.patch("/api/v1/tenant/", {"slug": "x", "plan": "gold"}, format="json")
    assert unknown.json()["errors"] == {
        "slug": ["This field cannot be changed."],
        "plan": ["This field cannot be changed."],
    }
    ok = admin_api.patch("/api/v1/tenant/", {"name": "Acme SpA"}, format="json")
    assert ok.status_code == 200 and ok.json()["name"] == "Acme SpA"


@pytest.mark.django_db
def test_the_settings_page_saves_or_shows_the_error_beside_the_field(tenant, admin, monkeypatch):
    from django.test import Client

    client = Client()
    client.force_login(admin)
    form = client.get("/t/acme/settings/tenant/").context["form"]
    assert form.initial == {"name": "Acme", "timezone": "Europe/Rome", "country": "IT"}
    countries = form.fields["country"].choices
    assert countries[0] == ("", "—") and ("IT", "Italy (IT)") in countries
    names = [label for _, label in countries[1:]]
    assert names == sorted(names) and len(names) > 200  # by name, not by code
    zones = [zone for zone, _ in form.fields["timezone"].choices]
    assert zones == sorted(zones) and "Europe/Rome" in zones
    saved = client.post(
        "/t/acme/settings/tenant/",
        {"name": "Acme Srl", "timezone": "Europe/Rome", "country": "IT"},
        follow=True,
    )
    assert saved.redirect_chain == [("/t/acme/settings/tenant/", 302)]
    assert "Settings saved." in saved.content.decode()
    assert Tenant.objects.get(pk=tenant.pk).name == "Acme Srl"
    invalid = client.post("/t/acme/settings/tenant/", {"name": "", "timezone": "Europe/Rome"})
    assert invalid.status_code == 400
    from smarketing.tenancy.pages import general

    def refuse(**kwargs):
        raise InvalidSettings({"name": ["Taken."], "elsewhere": ["Above the form."]})

    monkeypatch.setattr(general, "tenant_update", refuse)
    refused = client.post("/t/acme/settings/tenant/", {"name": "B", "timezone": "Europe/Rome"})
    assert refused.status_code == 400
    assert refused.context["form"].errors == {"name": ["Taken."], "__all__": ["Above the form."]}

    def forbid(**kwargs):
        raise NotAdmin("No.")

    monkeypatch.setattr(general, "tenant_update", forbid)
    forbidden = client.post("/t/acme/settings/tenant/", {"name": "B", "timezone": "Europe/Rome"})
    assert forbidden.context["form"].errors == {"__all__": ["No."]}
