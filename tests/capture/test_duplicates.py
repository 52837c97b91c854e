"""Likely duplicates: normalised e-mail, E.164 phone, normalised name and company."""

import pytest

from leads.duplicates.keys import email_key, name_company_key, phone_key
from leads.duplicates.models import LeadMatchKey
from leads.models import Lead
from smarketing.tenancy.roles import Role
from tests.leads.factories import LeadFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("ada.lovelace+news@gmail.com", "adalovelace@googlemail.com"),
        ("Ada+crm@Engines.example", "ada@engines.example"),
    ],
)
def test_these_addresses_share_their_normalised_key(one, other):
    assert email_key(one) == email_key(other)


def test_dots_count_outside_gmail():
    assert email_key("a.b@engines.example") != email_key("ab@engines.example")


def test_phones_are_compared_in_e164_with_the_country_as_region():
    assert phone_key("02 555 0142", region="IT") == phone_key("+39 02-555-0142") == "+39025550142"
    assert phone_key("12", region="IT") == ""


def test_names_and_companies_ignore_case_accents_and_legal_forms():
    assert name_company_key("José", "Núñez", "Núñez Labs S.L.") == name_company_key(
        "jose", "NUNEZ", "Nunez Labs"
    )
    assert name_company_key("Ada", "", "Engines") == ""


def _upsert(client, **fields):
    response = client.post("/api/v1/leads/", fields, format="json")
    assert response.status_code in (200, 201), response.json()
    return response.json()["id"]


def test_the_duplicates_endpoint_lists_each_lead_with_the_others_and_why(tenant, api_client_for):
    client = api_client_for(tenant, Role.MARKETER)
    a = _upsert(client, email="ada.lovelace@gmail.com", phone="+39 02 555 0142")
    b = _upsert(client, email="adalovelace+crm@gmail.com")
    c = _upsert(client, email="ada@engines.example", phone="02 5550142", country="IT")
    _upsert(client, email="someone@else.example", phone="+44 20 7946 0958")
    body = client.get("/api/v1/leads/duplicates/").json()
    by_lead = {row["lead"]["id"]: {d["id"]: d["reasons"] for d in row["duplicates"]}
               for row in body["results"]}  # fmt: skip
    assert by_lead == {a: {b: ["email"], c: ["phone"]}, b: {a: ["email"]}, c: {a: ["phone"]}}
    assert set(body) == {"next", "previous", "results"}


def test_keys_follow_a_profile_change_through_patch(tenant, api_client_for):
    client = api_client_for(tenant, Role.MARKETER)
    a = _upsert(client, email="x@one.example", first_name="Ada", last_name="Lovelace",
                company="Engines Ltd")  # fmt: skip
    b = _upsert(client, email="y@two.example", first_name="Ada", last_name="Lovelace")
    assert client.get("/api/v1/leads/duplicates/").json()["results"] == []
    client.patch(f"/api/v1/leads/{b}/", {"company": "ENGINES"}, format="json")
    ids = [row["lead"]["id"] for row in client.get("/api/v1/leads/duplicates/").json()["results"]]
    assert sorted(ids) == sorted([a, b])


def test_bulk_upserts_and_erasure_keep_the_keys_current(tenant, api_client_for):
    client = api_client_for(tenant, Role.ADMIN)
    items = [{"email": "p.q@gmail.com"}, {"email": "pq@gmail.com"}]
    bulk = client.post("/api/v1/leads/bulk/", {"items": items}, format="json")
    assert bulk.status_code == 200, bulk.json()
    assert len(client.get("/api/v1/leads/duplicates/").json()["results"]) == 2
    first = Lead.all_tenants.get(email="p.q@gmail.com")
    client.post(f"/api/v1/leads/{first.pk}/erase/")
    assert client.get("/api/v1/leads/duplicates/").json()["results"] == []
    assert not LeadMatchKey.all_tenants.filter(lead=first).exists()


def test_duplicates_of_another_tenant_are_not_shown(tenant, other_tenant, api_client_for):
    LeadFactory(tenant=other_tenant, email="ab@gmail.com")
    client = api_client_for(tenant, Role.MARKETER)
    _upsert(client, email="a.b@gmail.com")
    assert client.get("/api/v1/leads/duplicates/").json()["results"] == []


def test_the_duplicates_page_and_the_lead_page_show_them(tenant, api_client_for, page_as):
    client = api_client_for(tenant, Role.MARKETER)
    a = _upsert(client, email="ada.lovelace@gmail.com")
    b = _upsert(client, email="adalovelace@gmail.com")
    page = page_as(Role.MARKETER)
    listing = page.get(f"/t/{tenant.slug}/leads/duplicates/").content.decode()
    assert f"/t/{tenant.slug}/leads/{a}/merge/?other={b}" in listing
    detail = page.get(f"/t/{tenant.slug}/leads/{a}/").content.decode()
    assert "Possible duplicates" in detail and "Same e-mail address" in detail


def test_the_duplicates_endpoint_costs_the_same_queries_for_any_page_size(
    tenant, api_client_for, django_assert_max_num_queries
):
    client = api_client_for(tenant, Role.MARKETER)
    for n in range(12):
        _upsert(client, email=f"person{n}@gmail.com")
        _upsert(client, email=f"person{n}+x@gmail.com")
    client.get("/api/v1/leads/duplicates/?page_size=2")  # warm the key's cache
    with django_assert_max_num_queries(12) as small:
        client.get("/api/v1/leads/duplicates/?page_size=2")
    with django_assert_max_num_queries(12) as large:
        client.get("/api/v1/leads/duplicates/?page_size=24")
    assert len(small.captured_queries) == len(large.captured_queries)
