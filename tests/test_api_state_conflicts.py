"""A well-formed request that the tenant's current data refuses is a 409 naming the field.

The body has the shape of a 400 (`errors` by field) and `code: "conflict"`; other modules
pin the rest (owners, attendees, reason codes, campaigns, merges, goals, routing).
"""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from leads.models import RejectionReason
from smarketing.tenancy.roles import Role
from smarketing.tenancy.scope import tenant_scope
from tests.leads.factories import LeadFactory

pytestmark = pytest.mark.django_db

PROBLEM_KEYS = {"type", "title", "status", "detail", "code", "errors"}


def test_patching_a_lead_to_another_leads_address_is_a_conflict(tenant, api_client_for):
    LeadFactory(tenant=tenant, email="a@x.example")
    other = LeadFactory(tenant=tenant, email="b@x.example")
    response = api_client_for(tenant, Role.MARKETER).patch(
        f"/api/v1/leads/{other.pk}/", {"email": "A@x.example"}, format="json"
    )
    assert response.status_code == 409
    body = response.json()
    assert set(body) == PROBLEM_KEYS and body["code"] == "conflict"
    assert body["errors"] == {"email": ["Another lead has the address a@x.example."]}
    other.refresh_from_db()
    assert other.email == "b@x.example"


def test_an_import_naming_a_mapping_never_saved_is_a_conflict(tenant, api_client_for):
    upload = SimpleUploadedFile("leads.csv", b"email\na@x.example\n", content_type="text/csv")
    response = api_client_for(tenant, Role.MARKETER).post(
        "/api/v1/imports/", {"file": upload, "mapping_name": "Trade fair"}, format="multipart"
    )
    assert response.status_code == 409
    assert response.json()["errors"] == {"mapping_name": ["No saved mapping named 'Trade fair'."]}


def test_a_rejection_reason_code_another_reason_has_is_a_conflict(tenant, api_client_for):
    admin = api_client_for(tenant, Role.ADMIN)
    with tenant_scope(tenant):
        taken = RejectionReason.objects.values_list("code", flat=True).first()
    response = admin.post("/api/v1/rejection-reasons/", {"code": taken, "label": "Again"},
                          format="json")  # fmt: skip
    assert response.status_code == 409
    assert response.json()["errors"] == {"code": [f"There is a reason {taken} already."]}
    # A code that is malformed as well is a 400: the body must be well-formed to conflict.
    blank = admin.post("/api/v1/rejection-reasons/", {"code": taken, "label": ""}, format="json")
    assert blank.status_code == 400 and set(blank.json()["errors"]) == {"label"}
