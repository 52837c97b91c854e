"""GET, POST, PATCH /api/v1/forms/ and the form pages."""

import pytest

from leads.webforms.models import WebForm
from smarketing.tenancy.models import AuditEntry
from smarketing.tenancy.roles import Role
from tests.leads.factories import CampaignFactory, WebFormFactory

pytestmark = pytest.mark.django_db


def _body(**extra):
    origins = ["https://www.acme.example"]
    return {"name": "Demo request", "fields": ["email", "first_name", "company"],
            "required": ["email", "company"], "campaign": None, "consent_text": "",
            "thank_you_url": "", "allowed_origins": origins, **extra}  # fmt: skip


def test_a_marketer_creates_a_form_and_the_answer_carries_its_public_key(
    tenant, api_client_for, campaign
):
    client = api_client_for(tenant, Role.MARKETER)
    response = client.post("/api/v1/forms/", _body(campaign=campaign.pk), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert len(body["key"]) >= 20
    assert body["campaign"] == campaign.pk
    assert body["fields"] == ["email", "first_name", "company"]
    assert body["embed"]["url"].endswith(f"/f/{body['key']}/")
    assert WebForm.all_tenants.get(pk=body["id"]).tenant == tenant


def test_patch_changes_the_consent_text_and_bumps_its_version(tenant, api_client_for):
    client = api_client_for(tenant, Role.MARKETER)
    created = client.post("/api/v1/forms/", _body(consent_text="Version one"), format="json").json()
    assert created["consent_version"] == 1
    patched = client.patch(f"/api/v1/forms/{created['id']}/", {"consent_text": "Version two"},
                           format="json")  # fmt: skip
    assert patched.status_code == 200
    assert patched.json()["consent_version"] == 2
    assert patched.json()["key"] == created["key"]
    listed = client.get("/api/v1/forms/").json()["results"]
    assert [f["name"] for f in listed] == ["Demo request"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"fields": ["email", "stage"]}, "fields"),
        ({"required": ["phone"]}, "required"),
        ({"allowed_origins": ["https://www.acme.example/contact"]}, "allowed_origins"),
        ({"thank_you_url": "javascript:alert(1)"}, "thank_you_url"),
        ({"name": ""}, "name"),
    ],
)
def test_a_bad_form_is_answered_with_the_field_at_fault(tenant, api_client_for, change, field):
    response = api_client_for(tenant, Role.MARKETER).post(
        "/api/v1/forms/", _body(**change), format="json"
    )
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert field in response.json()["errors"]


def test_a_form_cannot_credit_another_tenants_campaign(tenant, other_tenant, api_client_for):
    theirs = CampaignFactory(tenant=other_tenant)
    response = api_client_for(tenant, Role.MARKETER).post(
        "/api/v1/forms/", _body(campaign=theirs.pk), format="json"
    )
    # Well-formed, but no campaign of this tenant: a conflict with its data, naming the field.
    assert response.status_code == 409
    assert response.json()["errors"] == {"campaign": [f"No campaign {theirs.pk} here."]}


def test_a_form_name_another_form_has_is_a_conflict(tenant, api_client_for):
    client = api_client_for(tenant, Role.MARKETER)
    assert client.post("/api/v1/forms/", _body(), format="json").status_code == 201
    again = client.post("/api/v1/forms/", _body(campaign=999999), format="json")
    assert again.status_code == 409
    assert set(again.json()["errors"]) == {"name", "campaign"}
    # A mistake in the body is answered first: the request must be well-formed to conflict.
    both = client.post("/api/v1/forms/", _body(required=["phone"]), format="json")
    assert both.status_code == 400 and set(both.json()["errors"]) == {"required"}


def test_sales_reps_read_forms_but_cannot_create_them(tenant, api_client_for):
    WebFormFactory(tenant=tenant)
    client = api_client_for(tenant, Role.SALES_REP)
    assert client.get("/api/v1/forms/").status_code == 200
    assert client.post("/api/v1/forms/", _body(), format="json").status_code == 403


def test_the_form_pages_create_a_form_and_show_the_snippet_to_copy(tenant, page_as, campaign):
    client = page_as(Role.MARKETER)
    assert client.get(f"/t/{tenant.slug}/forms/").status_code == 200
    response = client.post(f"/t/{tenant.slug}/forms/new/", {
        "name": "Newsletter", "fields": ["email", "first_name"], "required": ["email"],
        "campaign": campaign.pk, "consent_text": "Send me news", "thank_you_message": "",
        "thank_you_url": "", "allowed_origins": "https://www.acme.example\n",
    })  # fmt: skip
    form = WebForm.all_tenants.get(name="Newsletter")
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert f"/f/{form.key}/" in page
    assert 'data-copy-target="snippet-iframe"' in page
    assert "js/webforms.js" in page
    assert "onclick" not in page and "<script>" not in page  # no inline script (CSP)


def test_the_form_page_shows_an_error_beside_the_field(tenant, page_as):
    client = page_as(Role.MARKETER)
    response = client.post(f"/t/{tenant.slug}/forms/new/", {
        "name": "Bad origins", "fields": ["email"], "required": ["email"],
        "allowed_origins": "not an origin",
    })  # fmt: skip
    assert "is no origin" in response.content.decode()
    assert not WebForm.all_tenants.filter(name="Bad origins").exists()


def test_creating_and_changing_a_form_write_audit_rows_with_the_changed_fields(
    tenant, api_client_for
):
    client = api_client_for(tenant, Role.MARKETER)
    created = client.post("/api/v1/forms/", _body(consent_text="Version one"), format="json").json()
    client.patch(f"/api/v1/forms/{created['id']}/", {"consent_text": "Version two"}, format="json")
    rows = AuditEntry.all_tenants.filter(tenant=tenant, action__startswith="webform.").order_by(
        "id"
    )
    assert [(r.action, r.target_id) for r in rows] == [
        ("webform.created", str(created["id"])),
        ("webform.changed", str(created["id"])),
    ]
    assert rows[1].changes == {"consent_text": ["Version one", "Version two"]}
