"""Imports with a person's mapping: campaign by name, ignored columns, saved mappings."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from leads.imports.models import ImportMapping, LeadImport
from leads.models import Campaign, Lead
from smarketing.tenancy.roles import Role
from tests.leads.factories import CampaignFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media_root")]

FILE = (
    b"Mail,Vorname,Firma,Kampagne,Notes,Secret\n"
    b"ada@engines.example,Ada,Engines,Spring webinar,likes tea,s1\n"
    b"grace@navy.example,Grace,Navy,Trade fair 2027,,s2\n"
)
MAPPING = {"Mail": "email", "Vorname": "first_name", "Firma": "company",
           "Kampagne": "campaign_name", "Notes": "custom:notes", "Secret": "ignore"}  # fmt: skip


@pytest.fixture
def post_import(django_capture_on_commit_callbacks):
    def go(client, content=FILE, **fields):
        body = {"file": SimpleUploadedFile("leads.csv", content, content_type="text/csv")}
        body.update({k: json.dumps(v) if isinstance(v, dict) else v for k, v in fields.items()})
        with django_capture_on_commit_callbacks(execute=True):
            return client.post("/api/v1/imports/", body, format="multipart")

    return go


def test_an_import_with_a_custom_mapping_and_campaigns_by_name_lands_right(
    tenant, api_client_for, post_import
):
    spring = CampaignFactory(tenant=tenant, name="Spring Webinar")
    client = api_client_for(tenant, Role.MARKETER)
    response = post_import(client, mapping=MAPPING, create_campaigns="true")
    assert response.status_code == 202, response.json()
    result = client.get(f"/api/v1/imports/{response.json()['id']}/").json()
    assert (result["status"], result["created"], result["failed"]) == ("done", 2, 0)
    ada = Lead.all_tenants.get(email="ada@engines.example")
    assert (ada.first_name, ada.company, ada.campaign) == ("Ada", "Engines", spring)
    assert ada.custom_fields == {"notes": "likes tea"}  # the ignored column is nowhere
    grace = Lead.all_tenants.get(email="grace@navy.example")
    assert grace.campaign.name == "Trade fair 2027"  # created, as the person confirmed


def test_without_confirmation_an_unknown_campaign_fails_its_row_only(
    tenant, api_client_for, post_import
):
    CampaignFactory(tenant=tenant, name="Spring webinar")
    client = api_client_for(tenant, Role.MARKETER)
    response = post_import(client, mapping=MAPPING)
    result = client.get(f"/api/v1/imports/{response.json()['id']}/").json()
    assert (result["created"], result["failed"]) == (1, 1)
    assert not Campaign.all_tenants.filter(name="Trade fair 2027").exists()
    report = client.get(f"/api/v1/imports/{response.json()['id']}/errors.csv")
    assert "No campaign named “Trade fair 2027”" in b"".join(report.streaming_content).decode()


def test_a_column_left_out_of_the_mapping_is_not_stored(tenant, api_client_for, post_import):
    client = api_client_for(tenant, Role.MARKETER)
    post_import(client, mapping={"Mail": "email", "Vorname": "last_name"})
    ada = Lead.all_tenants.get(email="ada@engines.example")
    assert (ada.first_name, ada.last_name, ada.company, ada.custom_fields) == ("", "Ada", "", {})


def test_a_saved_mapping_is_reused_by_name(tenant, api_client_for, post_import):
    client = api_client_for(tenant, Role.MARKETER)
    post_import(client, mapping=MAPPING, save_mapping_as="German fair export",
                create_campaigns="true")  # fmt: skip
    assert ImportMapping.all_tenants.get(name="German fair export").mapping == MAPPING
    Lead.all_tenants.all().delete()
    again = post_import(client, mapping_name="German fair export")
    assert again.status_code == 202
    assert LeadImport.all_tenants.get(pk=again.json()["id"]).mapping == MAPPING
    assert Lead.all_tenants.get(email="ada@engines.example").custom_fields == {"notes": "likes tea"}


@pytest.mark.parametrize(
    ("mapping", "field"),
    [
        ({"Mail": "first_name"}, "mapping"),
        ({"Mail": "email", "Firma": "email"}, "mapping.Firma"),
        ({"Mail": "email", "Firma": "stage"}, "mapping.Firma"),
    ],
)
def test_a_bad_mapping_is_answered_with_the_column_at_fault(
    tenant, api_client_for, post_import, mapping, field
):
    response = post_import(api_client_for(tenant, Role.MARKETER), mapping=mapping)
    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert not LeadImport.all_tenants.exists()


def test_the_preview_shows_the_first_rows_and_the_proposed_mapping(tenant, api_client_for):
    client = api_client_for(tenant, Role.MARKETER)
    content = b"E-mail,First name,Campaign,Whatever\na@b.example,Ann,Fair,x\n"
    response = client.post("/api/v1/imports/preview/",
                           {"file": SimpleUploadedFile("l.csv", content, content_type="text/csv")},
                           format="multipart")  # fmt: skip
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["header"] == ["E-mail", "First name", "Campaign", "Whatever"]
    assert body["rows"] == [["a@b.example", "Ann", "Fair", "x"]]
    assert body["mapping"] == {
        "E-mail": "email",
        "First name": "first_name",
        "Campaign": "custom:Campaign",
        "Whatever": "custom:Whatever",
    }
    assert "campaign_name" in body["targets"] and "ignore" in body["targets"]


def test_the_import_page_previews_the_file_and_imports_with_the_chosen_mapping(
    tenant, page_as, django_capture_on_commit_callbacks
):
    client = page_as(Role.MARKETER)
    url = f"/t/{tenant.slug}/leads/import/mapping/"
    upload = SimpleUploadedFile("fair.csv", FILE, content_type="text/csv")
    assert client.post(url, {"file": upload})["Location"] == url
    page = client.get(url).content.decode()
    assert "Ada" in page and "Trade fair 2027" in page  # the first rows
    assert '<option value="email" selected>' in page  # "Mail" proposed as the e-mail
    choices = {"column_0": "email", "column_1": "first_name", "column_2": "company",
               "column_3": "campaign_name", "column_4": "ignore", "column_5": "ignore",
               "create_campaigns": "on", "save_as": "Fair"}  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, choices)
    assert response.status_code == 302 and "/leads/import/" in response["Location"]
    grace = Lead.all_tenants.get(email="grace@navy.example")
    assert (grace.first_name, grace.campaign.name, grace.custom_fields) == (
        "Grace",
        "Trade fair 2027",
        {},
    )
    assert ImportMapping.all_tenants.get(name="Fair").mapping["Kampagne"] == "campaign_name"


def test_the_mapping_page_shows_the_error_beside_the_column(tenant, page_as):
    client = page_as(Role.MARKETER)
    url = f"/t/{tenant.slug}/leads/import/mapping/"
    client.post(url, {"file": SimpleUploadedFile("fair.csv", FILE, content_type="text/csv")})
    response = client.post(url, {"column_0": "email", "column_1": "email"})
    assert "is mapped to &#x27;email&#x27; already" in response.content.decode()
    assert not LeadImport.all_tenants.exists()


@pytest.mark.parametrize(
    "content", [b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00", b"email\n\xff\xfe@x.example\n"]
)
def test_a_preview_of_a_file_that_is_no_csv_text_is_a_400_naming_the_file(
    tenant, api_client_for, content
):
    client = api_client_for(tenant, Role.MARKETER)
    upload = SimpleUploadedFile("file.png", content, content_type="image/png")
    response = client.post("/api/v1/imports/preview/", {"file": upload}, format="multipart")
    assert response.status_code == 400, response.content[:300]
    assert "file" in response.json()["errors"]
