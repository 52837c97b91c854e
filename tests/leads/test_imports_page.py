"""The import page: upload, live status, refused and failed files, who may open it."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from playwright.sync_api import expect

from leads.imports import services as import_services
from leads.imports.models import LeadImport
from leads.tasks import lead_import_run
from smarketing.tenancy.roles import Role
from tests.leads.factories import LeadImportFactory
from tests.leads.helpers import GOOD_AND_BAD

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media_root")]


@pytest.fixture
def marketer_page(tenant, member):
    client = Client()
    client.force_login(member(tenant, Role.MARKETER))
    return client


def test_the_import_page_uploads_a_file_and_shows_its_status(
    tenant, marketer_page, django_capture_on_commit_callbacks
):
    page = marketer_page.get(f"/t/{tenant.slug}/leads/import/").content.decode()
    assert "CSV file" in page and ">Import</button>" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = marketer_page.post(
            f"/t/{tenant.slug}/leads/import/",
            {"file": SimpleUploadedFile("spring.csv", GOOD_AND_BAD, content_type="text/csv")},
        )
    lead_import = LeadImport.all_tenants.get()
    assert response.status_code == 302
    assert response["Location"] == f"/t/{tenant.slug}/leads/import/{lead_import.pk}/"
    page = marketer_page.get(response["Location"]).content.decode()
    assert "spring.csv" in page
    assert 'data-status="done"' in page
    assert "hx-trigger" not in page  # finished: the panel stops polling
    assert "not-an-email" in page and "is not a valid e-mail address" in page
    assert f"/t/{tenant.slug}/leads/import/{lead_import.pk}/errors.csv" in page
    report = marketer_page.get(f"/t/{tenant.slug}/leads/import/{lead_import.pk}/errors.csv")
    assert b"not-an-email" in b"".join(report.streaming_content)


def test_the_status_panel_polls_every_second_while_the_import_runs(tenant, marketer_page):
    running = LeadImportFactory(tenant=tenant, status="running", total=2000, done=500, created=500)
    url = f"/t/{tenant.slug}/leads/import/{running.pk}/progress/"
    panel = marketer_page.get(url).content.decode()
    assert f'hx-get="{url}"' in panel and 'hx-trigger="every 1s"' in panel
    assert '<progress value="500" max="2000"' in panel
    assert "25%" in panel


def test_the_last_poll_of_a_finished_import_refreshes_recent_imports(tenant, marketer_page):
    running = LeadImportFactory(tenant=tenant, status="running", total=2000, done=500)
    url = f"/t/{tenant.slug}/leads/import/{running.pk}/progress/"
    assert "recent-imports" not in marketer_page.get(url).content.decode()

    LeadImport.all_tenants.filter(pk=running.pk).update(status="done", done=2000, created=2000)
    panel = marketer_page.get(url).content.decode()
    recent = panel[panel.index('<section id="recent-imports" hx-swap-oob="true">') :]
    assert re.search(
        r'<span class="badge import-done">Done</span></td>\s*<td class="num">2000<', recent
    )
    assert "Queued" not in recent


def test_the_import_page_explains_a_refused_file(tenant, marketer_page):
    response = marketer_page.post(
        f"/t/{tenant.slug}/leads/import/",
        {"file": SimpleUploadedFile("leads.xlsx", b"PK\x03\x04rest", content_type="text/csv")},
    )
    assert response.status_code == 400
    assert "This is an Excel workbook (.xlsx)" in response.content.decode()
    assert not LeadImport.all_tenants.exists()


def test_the_import_page_shows_why_a_whole_file_failed(tenant, marketer_page):
    failed = LeadImportFactory(
        tenant=tenant, status="failed", error="The file has no e-mail column"
    )
    page = marketer_page.get(f"/t/{tenant.slug}/leads/import/{failed.pk}/").content.decode()
    assert 'role="alert">The file has no e-mail column' in page


def test_a_sales_rep_cannot_open_the_import_pages(tenant, member):
    client = Client()
    client.force_login(member(tenant, Role.SALES_REP))
    done = LeadImportFactory(tenant=tenant)
    assert client.get(f"/t/{tenant.slug}/leads/import/").status_code == 403
    assert client.get(f"/t/{tenant.slug}/leads/import/{done.pk}/").status_code == 403
    assert client.get(f"/t/{tenant.slug}/leads/import/{done.pk}/errors.csv").status_code == 403


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_marketer_uploads_a_csv_and_watches_the_import_finish(
    tenant, member, log_in, monkeypatch, tmp_path
):
    # No worker picks the import up until the test runs the task itself, below: the page
    # must show it queued, keep polling, and show it done without a reload.
    monkeypatch.setattr(import_services, "_enqueue", lambda import_id: None)
    page = log_in(member(tenant, Role.MARKETER))
    page.goto(f"/t/{tenant.slug}/leads/import/")
    source = tmp_path / "spring.csv"
    source.write_bytes(GOOD_AND_BAD)
    page.get_by_label("CSV file").set_input_files(str(source))
    page.get_by_role("button", name="Import", exact=True).click()
    panel = page.locator("#import-status")
    expect(panel).to_have_attribute("data-status", "queued")
    lead_import_run(LeadImport.all_tenants.get().pk)
    expect(panel).to_have_attribute("data-status", "done")
    expect(panel.locator('[data-count="created"]')).to_have_text("2")
    expect(panel).to_contain_text("'not-an-email' is not a valid e-mail address.")
    expect(panel.get_by_role("link", name=re.compile("Download the 1 failed row"))).to_be_visible()
    expect(page.get_by_role("row", name=re.compile("spring.csv"))).to_be_visible()


def test_the_status_panel_lists_columns_named_like_dict_methods(tenant, marketer_page):
    done = LeadImportFactory(
        tenant=tenant,
        status="done",
        column_map={"E-mail": "email", "items": "custom:items", "values": "custom:values"},
    )
    panel = marketer_page.get(f"/t/{tenant.slug}/leads/import/{done.pk}/progress/")
    assert panel.status_code == 200
    text = panel.content.decode()
    assert "items → custom field “items”" in text and "values → custom field “values”" in text
