"""Reading an imported CSV: encodings, delimiters, header names, files refused whole."""

import codecs
import csv
import io

import pytest

from leads.imports import services as import_services
from leads.imports.models import LeadImport
from leads.models import Lead
from tests.leads.helpers import GOOD_AND_BAD, process

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media_root")]


def import_status(client, response) -> dict:
    assert response.status_code == 202, response.content
    return client.get(f"/api/v1/imports/{response.json()['id']}/").json()


def test_good_rows_are_imported_and_a_bad_row_is_explained(tenant, marketer_client, upload):
    response = upload(marketer_client, GOOD_AND_BAD)
    assert response.status_code == 202
    assert response.json()["status"] == "queued"
    body = import_status(marketer_client, response)
    assert body["status"] == "done"
    assert (body["total"], body["done"], body["created"], body["updated"], body["failed"]) == (
        3, 3, 2, 0, 1,
    )  # fmt: skip
    assert body["error"] == ""
    assert body["finished_at"] is not None
    ada = Lead.all_tenants.get(email="ada@example.com")
    assert (ada.first_name, ada.last_name, ada.company, ada.country) == (
        "Ada", "Lovelace", "Analytical Engines", "GB",
    )  # fmt: skip
    assert not Lead.all_tenants.filter(email="not-an-email").exists()
    failure = LeadImport.all_tenants.get().failure_sample
    assert failure == [
        {"line": 3, "email": "not-an-email", "reason": "Email: 'not-an-email' is not a valid "
         "e-mail address."}
    ]  # fmt: skip


def test_a_file_with_bom_and_semicolons_keeps_its_accents(tenant):
    content = "E-mail;First name;Company;Country\nzoe@example.com;Zoë;Société Générale;FR\n"
    result = process(tenant, codecs.BOM_UTF8 + content.encode())
    assert (result.status, result.created) == ("done", 1)
    lead = Lead.all_tenants.get()
    assert (lead.email, lead.first_name, lead.company, lead.country) == (
        "zoe@example.com", "Zoë", "Société Générale", "FR",
    )  # fmt: skip


def test_common_header_names_are_mapped_and_unknown_columns_kept_as_custom_fields(tenant):
    content = (
        "Email Address,Given Name,Surname,Organisation,Position,Telephone,Sector,Headcount,"
        "Country Code,Favourite colour,score\n"
        "ADA@Example.com , Ada ,Lovelace,Analytical Engines,CTO,+44 20 7946 0000,Computing,"
        '"1,200",gb,blue,99\n'
    )
    result = process(tenant, content.encode())
    assert result.status == "done", result.error
    lead = Lead.all_tenants.get()
    assert (lead.email, lead.first_name, lead.last_name, lead.company, lead.title) == (
        "ada@example.com", "Ada", "Lovelace", "Analytical Engines", "CTO",
    )  # fmt: skip
    assert (lead.phone, lead.industry, lead.company_size, lead.country) == (
        "+44 20 7946 0000", "Computing", 1200, "GB",
    )  # fmt: skip
    # A computed column such as the score is ignored, never written.
    assert lead.custom_fields == {"Favourite colour": "blue"}
    assert lead.score == 0
    assert result.column_map["Surname"] == "last_name"
    assert result.column_map["Favourite colour"] == "custom:Favourite colour"
    assert result.column_map["score"] == "ignored"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        pytest.param(
            b"email,company\nada@example.com,Acme\nbob@example.com,\x00\x01\x02\x03\n",
            "This file holds binary data, not text, so it is not a CSV file.",
            id="binary",
        ),
        pytest.param(
            "email,company\nada@example.com,Café Müller\n".encode("latin-1"),
            "The file is not UTF-8 text: line 2 ('ada@example.com,Café Müller') has the byte 0xE9",
            id="latin-1",
        ),
        pytest.param(
            b"name,company\nAda,Analytical Engines\n",
            "The file has no e-mail column, so no lead can be matched or created. Name one "
            'column "Email" (the first row must hold the column names; found: "name", "company").',
            id="no-email-column",
        ),
    ],
)
def test_a_malformed_file_fails_with_a_clear_message_and_imports_nothing(tenant, content, message):
    result = process(tenant, content)
    assert result.status == "failed"
    assert message in result.error
    assert (result.done, result.created, result.updated) == (0, 0, 0)
    assert not Lead.all_tenants.exists()


@pytest.mark.parametrize(
    ("last_row", "message"),
    [
        ("late@example.com,Señor\n".encode("cp1252"), "line 4002 ('late@example.com,Señor')"),
        (b"late@example.com,\x00\x00\n", "Line 4002 holds binary data (a NUL byte)"),
    ],
)
def test_a_bad_line_far_down_the_file_imports_none_of_the_rows_before_it(tenant, last_row, message):
    good = "".join(f"p{i}@example.com,Acme\n" for i in range(4000))  # past the first 64 kB
    result = process(tenant, ("email,company\n" + good).encode() + last_row)
    assert result.status == "failed"
    assert message in result.error
    assert not Lead.all_tenants.exists()


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"", "leads.csv", "The file is empty"),
        (b"PK\x03\x04\x14\x00\x06\x00", "leads.xlsx", "This is an Excel workbook (.xlsx)"),
        (b"\x00\x01\x02binary", "leads.csv", "This file holds binary data, not text"),
    ],
)
def test_an_upload_that_is_no_csv_text_is_refused_at_once(
    tenant, marketer_client, upload, content, name, message
):
    response = upload(marketer_client, content, name)
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert message in response.json()["errors"]["file"][0]
    assert not LeadImport.all_tenants.exists()


def test_an_upload_over_the_size_limit_is_refused(tenant, marketer_client, upload, monkeypatch):
    monkeypatch.setattr(import_services, "MAX_FILE_BYTES", 100)
    response = upload(marketer_client, GOOD_AND_BAD)
    assert response.status_code == 400
    assert "Split it into smaller files" in response.json()["detail"]


def test_the_error_report_neutralises_cells_a_spreadsheet_would_run_as_formulas(tenant):
    content = (
        'Email,=HYPERLINK("http://x"),Company,Phone\n'
        "=cmd|' /C calc'!A0,@SUM(1),+1+1,+39 06 1234\n"
        '-2+3,"\tTAB","\rCR",-42\n'
    )
    result = process(tenant, content.encode())
    assert result.failed == 2
    with result.error_report.open("rb") as report:
        rows = list(csv.reader(io.StringIO(report.read().decode("utf-8-sig"))))
    assert rows[0][:2] == ["Email", '\'=HYPERLINK("http://x")']
    assert rows[1][:4] == ["'=cmd|' /C calc'!A0", "'@SUM(1)", "'+1+1", "+39 06 1234"]
    assert rows[2][:4] == ["'-2+3", "'\tTAB", "'\rCR", "-42"]
    assert all(row[-1] and not row[-1].startswith("'") for row in rows[1:])
