import pytest
from django.test import Client

from leads.models import Lead, Stage
from smarketing.tenancy.models import AuditEntry
from smarketing.tenancy.roles import Role
from smarketing.tenancy.scope import tenant_scope
from tests.leads.factories import LeadFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def browser(member, tenant):
    def make(role):
        client = Client()
        client.force_login(member(tenant, role))
        return client

    return make


def test_create_form_makes_a_lead_and_shows_field_errors_beside_their_fields(tenant, browser):
    client = browser(Role.MARKETER)
    url = f"/t/{tenant.slug}/leads/new/"
    assert client.get(url).status_code == 200
    bad = client.post(url, {"email": "not-an-address", "country": "Narnia", "company_size": "many"})
    html = bad.content.decode()
    assert bad.status_code == 400
    for field in ("email", "country", "company_size"):
        assert f'id="{field}-error"' in html
    made = client.post(url, {"email": "Ada@Example.com", "first_name": "Ada", "country": "it"})
    with tenant_scope(tenant):
        lead = Lead.objects.get(email="ada@example.com")
    assert made["Location"] == f"/t/{tenant.slug}/leads/{lead.pk}/"
    assert lead.country == "IT" and lead.first_name == "Ada"


def test_edit_form_uses_the_update_service_and_refuses_a_taken_address(tenant, browser):
    lead = LeadFactory(tenant=tenant, email="a@example.com", company="Old")
    LeadFactory(tenant=tenant, email="b@example.com")
    client = browser(Role.MARKETER)
    url = f"/t/{tenant.slug}/leads/{lead.pk}/edit/"
    assert "Old" in client.get(url).content.decode()
    taken = client.post(url, {"email": "b@example.com", "company": "New"})
    assert taken.status_code == 400 and 'id="email-error"' in taken.content.decode()
    client.post(url, {"email": "a@example.com", "company": "New", "campaign": ""})
    with tenant_scope(tenant):
        assert Lead.objects.get(pk=lead.pk).company == "New"


def test_integration_roles_without_edit_rights_get_403_and_others_tenants_404(
    tenant, other_tenant, browser, member
):
    lead = LeadFactory(tenant=tenant)
    outsider = Client()
    outsider.force_login(member(other_tenant, Role.ADMIN))
    assert outsider.get(f"/t/{other_tenant.slug}/leads/{lead.pk}/edit/").status_code == 404
    rep = browser(Role.SALES_REP)
    assert rep.get(f"/t/{tenant.slug}/leads/new/").status_code == 403


def test_manager_reassigns_leads_in_bulk_with_a_result_per_lead(tenant, browser, member):
    first_rep, second_rep = member(tenant, Role.SALES_REP), member(tenant, Role.SALES_REP)
    owned = [LeadFactory(tenant=tenant, stage=Stage.SQL, owner=first_rep) for _ in range(2)]
    final = LeadFactory(tenant=tenant, stage=Stage.WON, owner=first_rep)
    manager = browser(Role.MANAGER)
    listing = manager.get(f"/t/{tenant.slug}/leads/").content.decode()
    assert "Reassign to" in listing and second_rep.email in listing
    response = manager.post(
        f"/t/{tenant.slug}/leads/reassign/",
        {"owner": second_rep.email, "lead": [owned[0].pk, owned[1].pk, final.pk, 999999]},
    )
    assert response.status_code == 302
    report = manager.get(f"/t/{tenant.slug}/leads/").content.decode()
    assert "Reassign to" in report and "not found" in report and "cannot be reassigned" in report
    with tenant_scope(tenant):
        assert {Lead.objects.get(pk=lead.pk).owner_id for lead in owned} == {second_rep.pk}
        assert Lead.objects.get(pk=final.pk).owner_id == first_rep.pk
        assert AuditEntry.objects.filter(action="lead.reassigned").count() == 2


def test_marketers_cannot_reassign(tenant, browser, member):
    lead = LeadFactory(tenant=tenant, stage=Stage.SQL, owner=member(tenant, Role.SALES_REP))
    marketer = browser(Role.MARKETER)
    assert "Reassign to" not in marketer.get(f"/t/{tenant.slug}/leads/").content.decode()
    response = marketer.post(
        f"/t/{tenant.slug}/leads/reassign/", {"owner": "x@example.com", "lead": [lead.pk]}
    )
    assert response.status_code == 403


def test_manager_reassigns_one_lead_from_its_page(tenant, browser, member):
    first_rep, second_rep = member(tenant, Role.SALES_REP), member(tenant, Role.SALES_REP)
    lead = LeadFactory(tenant=tenant, stage=Stage.SQL, owner=first_rep)
    manager = browser(Role.MANAGER)
    detail = f"/t/{tenant.slug}/leads/{lead.pk}/"
    assert 'aria-label="New owner"' in manager.get(detail).content.decode()
    response = manager.post(
        f"/t/{tenant.slug}/leads/reassign/",
        {"owner": second_rep.email, "lead": [lead.pk], "next": detail},
    )
    assert response["Location"] == detail
    with tenant_scope(tenant):
        assert Lead.objects.get(pk=lead.pk).owner_id == second_rep.pk
    evil = manager.post(
        f"/t/{tenant.slug}/leads/reassign/",
        {"owner": first_rep.email, "lead": [lead.pk], "next": "https://evil.example/"},
    )
    assert evil["Location"] == f"/t/{tenant.slug}/leads/"
    assert 'aria-label="New owner"' not in browser(Role.MARKETER).get(detail).content.decode()
