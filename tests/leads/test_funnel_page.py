"""The funnel page: every role reads it, bands and groups, the empty state, bad filters
beside their field, and the download with the page's filters."""

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest

from leads.models import Lead
from smarketing.tenancy.roles import Role
from tests.leads.factories import CampaignFactory, LeadFactory, StageTransitionFactory

pytestmark = pytest.mark.django_db

JAN = datetime(2027, 1, 10, 9, tzinfo=UTC)
RANGE = {"from": "2027-01-01", "to": "2027-03-31"}


def _url(tenant, suffix="funnel/"):
    return f"/t/{tenant.slug}/reports/{suffix}"


def _history(tenant):
    campaign = CampaignFactory(tenant=tenant, name="Spring webinar")
    lead = LeadFactory(tenant=tenant, campaign=campaign)
    Lead.all_tenants.filter(pk=lead.pk).update(created_at=JAN)
    entered = JAN
    for action, to_stage in (("move", "mql"), ("move", "sql"), ("accept", "sql")):
        at = entered + timedelta(hours=10)  # 600 minutes: the middle of its bucket
        StageTransitionFactory(lead=lead, action=action, to_stage=to_stage, at=at,
                               step_started_at=entered)  # fmt: skip
        entered = at


@pytest.mark.parametrize("role", [Role.MANAGER, Role.MARKETER, Role.SALES_REP, Role.ADMIN])
def test_every_role_reads_the_funnel_with_its_bands(tenant, as_role, role):
    _history(tenant)
    client, _ = as_role(role)
    page = client.get(_url(tenant), {**RANGE, "group_by": "campaign"}).content.decode()
    assert 'data-band="tofu"' in page and 'data-band="bofu"' in page
    assert 'data-stage="accepted"' in page and "10.0 h" in page
    assert "Spring webinar" in page
    assert (
        'id="funnel-data"' in page and 'href="/t/acme/reports/funnel/" aria-current="page"' in page
    )


def test_an_empty_range_shows_the_empty_state_and_no_charts(tenant, as_role):
    client, _ = as_role(Role.MARKETER)
    page = client.get(_url(tenant), RANGE).content.decode()
    assert 'data-testid="funnel-empty"' in page
    assert "funnel_report.js" not in page


def test_bad_filters_are_explained_beside_their_field(tenant, as_role):
    client, _ = as_role(Role.MANAGER)
    response = client.get(_url(tenant), {"from": "2027-03-01", "to": "2027-01-01",
                                         "group_by": "planet"})  # fmt: skip
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="e-from"' in page and "The first day is after the last." in page
    assert 'id="e-group_by"' in page


def test_the_download_has_the_pages_filters(tenant, as_role):
    _history(tenant)
    client, _ = as_role(Role.SALES_REP)
    page = client.get(_url(tenant), {**RANGE, "mode": "cohort"}).content.decode()
    assert "/reports/funnel.csv?from=2027-01-01&amp;to=2027-03-31&amp;mode=cohort" in page
    response = client.get(_url(tenant, "funnel.csv"), {**RANGE, "mode": "cohort"})
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][:3] == ["group_key", "group", "stage"]
    assert [row[4] for row in rows[1:]] == ["1", "1", "1", "1", "0", "0"]


def test_another_tenants_funnel_page_is_not_found(tenant, other_tenant, member):
    from django.test import Client

    client = Client()
    client.force_login(member(tenant, Role.MANAGER))
    assert client.get(f"/t/{other_tenant.slug}/reports/funnel/").status_code == 404
