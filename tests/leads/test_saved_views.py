"""Saved views of the lead list: a person saves the filters and columns under a name, may
share it with the team, applies it from the list, and deletes only their own."""

import pytest
from django.test import Client

from leads.models import SavedView, Stage
from smarketing.tenancy.audit_models import AuditEntry
from smarketing.tenancy.roles import Role
from smarketing.tenancy.scope import tenant_scope
from tests.leads.factories import LeadFactory, SavedViewFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(tenant, member):
    def client(user):
        browser = Client()
        browser.force_login(user)
        browser.user = user
        return browser

    return {
        "giulia": client(member(tenant, Role.MARKETER, email="giulia@acme.example")),
        "luca": client(member(tenant, Role.MARKETER, email="luca@acme.example")),
    }


def leads_url(tenant, suffix=""):
    return f"/t/{tenant.slug}/leads/{suffix}"


def test_a_marketer_saves_the_filters_and_columns_and_applies_them_later(tenant, people):
    LeadFactory(tenant=tenant, email="flagged@x.example", stage=Stage.MQL)
    LeadFactory(tenant=tenant, email="fresh@x.example", stage=Stage.LEAD)
    giulia = people["giulia"]
    response = giulia.post(leads_url(tenant, "views/"), {
        "name": "My MQLs", "query": "stage=mql&page=3&q=&bogus=1", "cols": ["owner", "score"],
    })  # fmt: skip
    saved = SavedView.all_tenants.get()
    assert (saved.name, saved.query, saved.columns, saved.shared) == (
        "My MQLs", "stage=mql", ["score", "owner"], False,
    )  # fmt: skip
    assert response["Location"] == leads_url(tenant, "?stage=mql&cols=score&cols=owner")

    page = giulia.get(response["Location"]).content.decode()
    assert 'href="?stage=mql&amp;cols=score&amp;cols=owner" aria-current="true">My MQLs</a>' in page
    assert "flagged@x.example" in page and "fresh@x.example" not in page
    assert ">Owner</th>" in page and ">Campaign</th>" not in page  # the saved columns only


def test_a_shared_view_is_listed_for_the_team_a_private_one_is_not(tenant, people):
    giulia, luca = people["giulia"], people["luca"]
    SavedViewFactory(tenant=tenant, owner=giulia.user, name="Team hot leads", shared=True)
    SavedViewFactory(tenant=tenant, owner=giulia.user, name="Giulia's scratch")
    page = luca.get(leads_url(tenant)).content.decode()
    assert "Team hot leads" in page and "shared by giulia@acme.example" in page
    assert "Giulia&#x27;s scratch" not in page
    assert "Delete the view Team hot leads" not in page  # not Luca's to delete


def test_a_person_deletes_their_own_view_but_not_a_colleagues(tenant, people):
    giulia, luca = people["giulia"], people["luca"]
    shared = SavedViewFactory(tenant=tenant, owner=giulia.user, shared=True)
    private = SavedViewFactory(tenant=tenant, owner=giulia.user)
    assert luca.post(leads_url(tenant, f"views/{shared.pk}/delete/")).status_code == 403
    assert luca.post(leads_url(tenant, f"views/{private.pk}/delete/")).status_code == 404
    assert SavedView.all_tenants.count() == 2
    response = giulia.post(leads_url(tenant, f"views/{shared.pk}/delete/"))
    assert response.status_code == 302
    assert list(SavedView.all_tenants.values_list("pk", flat=True)) == [private.pk]


def test_another_tenants_saved_view_is_not_found(tenant, other_tenant, member):
    theirs = SavedViewFactory(tenant=other_tenant, shared=True)
    client = Client()
    client.force_login(member(tenant, Role.ADMIN))
    assert client.post(leads_url(tenant, f"views/{theirs.pk}/delete/")).status_code == 404
    assert SavedView.all_tenants.filter(pk=theirs.pk).exists()


@pytest.mark.parametrize(
    ("name", "message"), [("  ", "Give the view a name."), ("Taken", "already have a view named")]
)
def test_a_view_without_a_usable_name_is_refused_with_a_message(tenant, people, name, message):
    giulia = people["giulia"]
    SavedViewFactory(tenant=tenant, owner=giulia.user, name="Taken")
    response = giulia.post(leads_url(tenant, "views/"), {"name": name, "query": "stage=sql"},
                           follow=True)  # fmt: skip
    assert message in response.content.decode()
    assert SavedView.all_tenants.count() == 1


def test_saving_and_deleting_a_view_leave_audit_rows(tenant, people):
    giulia, luca = people["giulia"], people["luca"]

    def audited():
        with tenant_scope(tenant):
            entries = AuditEntry.objects.filter(action__startswith="saved_view.")
            return list(entries.order_by("id").values_list("action", "target_label"))

    giulia.post(
        leads_url(tenant, "views/"), {"name": "Team MQLs", "query": "stage=mql", "shared": "on"}
    )
    saved = SavedView.all_tenants.get()
    assert audited() == [("saved_view.created", "Team MQLs")]
    luca.post(leads_url(tenant, f"views/{saved.pk}/delete/"))  # refused: not Luca's
    assert audited() == [("saved_view.created", "Team MQLs")]
    giulia.post(leads_url(tenant, f"views/{saved.pk}/delete/"))
    assert audited() == [("saved_view.created", "Team MQLs"), ("saved_view.deleted", "Team MQLs")]
