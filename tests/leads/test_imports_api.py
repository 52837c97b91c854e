"""The imports API: error reports, progress, idempotent uploads, roles and tenancy."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from leads.imports.models import LeadImport
from smarketing.tenancy.roles import Role
from tests.leads.factories import LeadImportFactory
from tests.leads.helpers import GOOD_AND_BAD

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media_root")]


def test_the_error_report_has_the_failed_rows_and_their_reasons(tenant, marketer_client, upload):
    response = upload(marketer_client, GOOD_AND_BAD)
    report = marketer_client.get(f"/api/v1/imports/{response.json()['id']}/errors.csv")
    assert report.status_code == 200
    assert report["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="leads-errors.csv"' in report["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(b"".join(report.streaming_content).decode("utf-8-sig"))))
    assert rows == [
        ["Email", "First Name", "Last Name", "Company", "Country", "reason"],
        ["not-an-email", "Bad", "Row", "Nowhere", "IT",
         "Email: 'not-an-email' is not a valid e-mail address."],
    ]  # fmt: skip


def test_an_import_without_failures_has_an_error_report_with_the_header_alone(
    tenant, marketer_client, upload
):
    response = upload(marketer_client, b"email,company\nada@example.com,Acme\n")
    report = marketer_client.get(f"/api/v1/imports/{response.json()['id']}/errors.csv")
    assert report.content.decode().splitlines() == ["email,company,reason"]


def test_the_error_report_of_a_running_import_is_not_ready_yet(tenant, marketer_client):
    running = LeadImportFactory(tenant=tenant, status="running")
    response = marketer_client.get(f"/api/v1/imports/{running.pk}/errors.csv")
    assert response.status_code == 409
    assert response.json()["code"] == "import_running"


def test_the_progress_endpoint_shows_the_fields_of_the_contract(tenant, marketer_client):
    running = LeadImportFactory(tenant=tenant, status="running", total=10, done=4, created=3,
                                failed=1)  # fmt: skip
    body = marketer_client.get(f"/api/v1/imports/{running.pk}/").json()
    assert {"id", "status", "total", "done", "created", "updated", "failed", "error",
            "created_at", "finished_at"} <= set(body)  # fmt: skip
    assert (body["status"], body["total"], body["done"], body["failed"]) == ("running", 10, 4, 1)


def test_an_upload_larger_than_a_request_body_replays_with_its_idempotency_key(
    tenant, marketer_client, settings
):
    content = b"email\n" + b"".join(b"p%d@example.com\n" % i for i in range(200_000))
    assert len(content) > settings.DATA_UPLOAD_MAX_MEMORY_SIZE

    def post(data: bytes):
        return marketer_client.post(
            "/api/v1/imports/",
            {"file": SimpleUploadedFile("big.csv", data, content_type="text/csv")},
            format="multipart",
            HTTP_IDEMPOTENCY_KEY="upload-1",
        )

    first, again = post(content), post(content)
    assert (first.status_code, again.status_code) == (202, 202)
    assert again.json()["id"] == first.json()["id"]
    assert LeadImport.all_tenants.count() == 1
    assert post(content + b"one-more@example.com\n").status_code == 422


def test_a_sales_rep_may_not_import(tenant, api_client_for, upload):
    response = upload(api_client_for(tenant, Role.SALES_REP), GOOD_AND_BAD)
    assert response.status_code == 403
    assert not LeadImport.all_tenants.exists()


def test_another_tenants_import_is_not_found(tenant, other_tenant, api_client_for, upload):
    response = upload(api_client_for(tenant, Role.MARKETER), GOOD_AND_BAD)
    other = api_client_for(other_tenant, Role.ADMIN)
    import_id = response.json()["id"]
    assert other.get(f"/api/v1/imports/{import_id}/").status_code == 404
    assert other.get(f"/api/v1/imports/{import_id}/errors.csv").status_code == 404
