"""The SLA pages: dashboard for every member, the editor for managers, sign-off per side."""

import pytest
from django.test import Client

from sla.models import SlaStatus, SlaVersion
from smarketing.tenancy.roles import Role
from smarketing.tenancy.scope import tenant_scope
from tests.sla.factories import SlaVersionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def browse(tenant, member):
    """browse(role) -> (logged-in client, user)."""

    def make(role):
        user = member(tenant, role)
        client = Client()
        client.force_login(user)
        return client, user

    return make


def _form(**overrides):
    data = {
        "name": "2027 H1", "accept_within_hours": "4", "first_touch_within_hours": "8",
        "hot_score": "80", "hot_accept_within_hours": "1", "hot_first_touch_within_hours": "2",
        "mql_threshold": "40", "sql_threshold": "70", "monthly_mql_target": "200",
        "monthly_sql_target": "80", "min_acceptance_rate": "0.6", "cold_sql": "3",
        "cold_mql": "14", "auto_recycle_cold": "on", "notify_on_breach": ["owner", "managers"],
        "review_every_months": "3", "timezone": "Europe/Rome", "holiday_country": "it",
        "closed_days": "2027-08-16\n", "hours_mon": "09:00-13:00, 14:00-18:00",
        "hours_tue": "09:00-18:00", "hours_wed": "09:00-18:00", "hours_thu": "09:00-18:00",
        "hours_fri": "09:00-18:00", "hours_sat": "", "hours_sun": "",
    }  # fmt: skip
    return {**data, **overrides}


@pytest.mark.parametrize("role", [Role.MANAGER, Role.MARKETER, Role.SALES_REP])
def test_every_member_sees_the_dashboard_only_managers_may_draft(tenant, browse, role):
    client, _ = browse(role)
    response = client.get(f"/t/{tenant.slug}/sla/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>SLA compliance</h1>" in html
    assert 'id="chart-on-time"' in html
    assert "vendor/chartjs/chart.umd.js" in html
    assert ">SLA</a>" in html  # the nav link
    assert ("New draft" in html) is (role == Role.MANAGER)
    new = client.get(f"/t/{tenant.slug}/sla/versions/new/")
    assert new.status_code == (200 if role == Role.MANAGER else 403)


def test_a_manager_drafts_a_version_with_its_calendar(tenant, browse):
    client, manager = browse(Role.MANAGER)
    response = client.post(f"/t/{tenant.slug}/sla/versions/new/", _form())
    assert response.status_code == 302
    with tenant_scope(tenant):
        version = SlaVersion.objects.get(name="2027 H1")
    assert version.status == SlaStatus.DRAFT
    assert version.created_by == manager
    assert version.cold_after_days == {"mql": 14, "sql": 3}
    assert version.calendar["holiday_country"] == "IT"
    assert version.calendar["closed_days"] == ["2027-08-16"]
    assert version.calendar["working_hours"]["mon"] == [["09:00", "13:00"], ["14:00", "18:00"]]
    assert version.calendar["working_hours"]["sat"] == []
    assert response["Location"] == f"/t/{tenant.slug}/sla/versions/{version.pk}/"


@pytest.mark.parametrize(
    ("overrides", "message"),
    [({"hours_mon": "9 to 5"}, "is not a range"), ({"timezone": "Mars/Olympus"}, "timezone"),
     ({"hot_accept_within_hours": "9"}, "cannot be longer")],
)  # fmt: skip
def test_a_bad_draft_is_shown_again_with_the_reason(tenant, browse, overrides, message):
    client, _ = browse(Role.MANAGER)
    response = client.post(f"/t/{tenant.slug}/sla/versions/new/", _form(**overrides))
    assert response.status_code == 400
    assert message in response.content.decode()


def test_both_sides_sign_and_a_manager_activates(tenant, browse):
    draft = SlaVersionFactory(tenant=tenant, name="Next")
    url = f"/t/{tenant.slug}/sla/versions/{draft.pk}/"
    marketer, _ = browse(Role.MARKETER)
    rep, _ = browse(Role.SALES_REP)
    manager, _ = browse(Role.MANAGER)
    page = marketer.get(url).content.decode()
    assert "Sign for marketing" in page
    assert "Sign for sales" not in page
    assert "Activate" not in page

    marketer.post(url + "sign/", {"side": "marketing"})
    assert "Activate</button>" not in manager.get(url).content.decode()  # sales is missing
    rep.post(url + "sign/", {"side": "sales"})
    assert "Activate</button>" in manager.get(url).content.decode()
    assert rep.post(url + "activate/").status_code == 403
    manager.post(url + "activate/")

    draft.refresh_from_db()
    assert draft.status == SlaStatus.ACTIVE
    assert draft.marketing_signed_by and draft.sales_signed_by


def test_a_refused_signature_is_explained(tenant, browse):
    draft = SlaVersionFactory(tenant=tenant)
    rep, _ = browse(Role.SALES_REP)
    response = rep.post(f"/t/{tenant.slug}/sla/versions/{draft.pk}/sign/", {"side": "marketing"},
                        follow=True)  # fmt: skip
    assert "may not sign for marketing" in response.content.decode()
    draft.refresh_from_db()
    assert draft.marketing_signed_at is None


def test_the_diff_marks_the_changed_terms(tenant, browse):
    old = SlaVersionFactory(tenant=tenant, accept_within_hours=4, monthly_mql_target=100)
    new = SlaVersionFactory(tenant=tenant, accept_within_hours=2, monthly_mql_target=100,
                            name=old.name)  # fmt: skip
    client, _ = browse(Role.SALES_REP)
    response = client.get(f"/t/{tenant.slug}/sla/versions/{new.pk}/compare/", {"with": old.pk})
    html = response.content.decode()
    assert response.status_code == 200
    assert "1 term changed" in html
    changed = html.split('<tr class="changed">')[1].split("</tr>")[0]
    assert "Accept within (business hours)" in changed
    assert "4.00" in changed and "2.00" in changed


def test_editing_a_draft_keeps_its_terms_in_the_form(tenant, browse):
    draft = SlaVersionFactory(tenant=tenant, monthly_sql_target=55)
    client, _ = browse(Role.MANAGER)
    html = client.get(f"/t/{tenant.slug}/sla/versions/{draft.pk}/edit/").content.decode()
    assert 'value="55"' in html
    response = client.post(
        f"/t/{tenant.slug}/sla/versions/{draft.pk}/edit/", _form(name=draft.name,
                                                                   monthly_sql_target="60")
    )  # fmt: skip
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.monthly_sql_target == 60
