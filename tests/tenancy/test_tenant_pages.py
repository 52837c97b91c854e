"""How a page under /t/<slug>/ resolves its tenant, object and role, the landing page and the
switcher, the admin's cross-tenant views, and the API keys page."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.backends.db import SessionStore
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.template.response import TemplateResponse
from django.test import Client, RequestFactory
from django.utils import timezone
from django.views import View

from smarketing.tenancy.models import ApiKey, AuditEntry, Invitation, Membership
from smarketing.tenancy.roles import Role
from smarketing.tenancy.scope import current_scope, tenant_scope
from smarketing.tenancy.views import TenantPageMixin
from tests.factories import ApiKeyFactory, InvitationFactory, MembershipFactory, UserFactory
from tests.scopes import as_deployed

pytestmark = pytest.mark.django_db


class ProbeView(TenantPageMixin, View):
    """Answers what the page saw: tenant, role, scope, timezone and the object found."""

    model = Invitation
    seen: dict = {}

    def get(self, request, **kwargs):
        ProbeView.seen = {
            "tenant": request.tenant.slug,
            "role": request.role,
            "membership": request.membership.pk,
            "scope": current_scope(),
            "zone": timezone.get_current_timezone_name(),
            "object": getattr(self.page_object, "pk", None),
        }
        return HttpResponse("ok")

    post = get


class AdminPostView(ProbeView):
    capability = "read"
    post_capability = "tenant.admin"


def _request(user, method="get", session=None):
    request = getattr(RequestFactory(), method)("/")
    request.user = user
    request.session = session if session is not None else SessionStore()
    return request


def _call(view, user, method="get", **kwargs):
    with as_deployed():
        return view.as_view()(_request(user, method), **kwargs)


def test_a_page_resolves_the_tenant_role_scope_and_timezone(tenant, member):
    user = member(tenant, Role.MARKETER)
    request = _request(user)
    with as_deployed():
        response = ProbeView.as_view()(request, tenant_slug="acme")
    assert response.status_code == 200
    membership = Membership.all_tenants.get(user=user)
    assert ProbeView.seen == {
        "tenant": "acme",
        "role": "marketer",
        "membership": membership.pk,
        "scope": (tenant.pk, False),
        "zone": "Europe/Rome",
        "object": None,
    }
    assert request.session["current_tenant"] == "acme"


def test_a_tenant_without_a_timezone_shows_utc(tenant, member):
    user = member(tenant, Role.MARKETER)
    tenant.timezone = ""
    tenant.save(update_fields=["timezone"])
    _call(ProbeView, user, tenant_slug="acme")
    assert ProbeView.seen["zone"] == "UTC"


def test_the_object_is_found_in_the_tenant_or_the_page_is_404(tenant, other_tenant, member):
    user = member(tenant, Role.MARKETER)
    mine = InvitationFactory(tenant=tenant)
    theirs = InvitationFactory(tenant=other_tenant)
    _call(ProbeView, user, tenant_slug="acme", pk=mine.pk)
    assert ProbeView.seen["object"] == mine.pk
    with pytest.raises(Http404):
        _call(ProbeView, user, tenant_slug="acme", pk=theirs.pk)


def test_a_stranger_and_an_unknown_tenant_are_both_404(tenant, other_tenant, member):
    stranger = member(other_tenant, Role.ADMIN)
    with pytest.raises(Http404) as not_member:
        _call(ProbeView, stranger, tenant_slug="acme")
    with pytest.raises(Http404) as unknown:
        _call(ProbeView, stranger, tenant_slug="nowhere")
    assert str(not_member.value) == str(unknown.value) == "No such tenant."


def test_the_session_is_written_only_when_the_tenant_changes(tenant, member):
    user = member(tenant, Role.MARKETER)
    session = SessionStore()
    session["current_tenant"] = "acme"
    session.save()
    session.modified = False
    with as_deployed():
        ProbeView.as_view()(_request(user, session=session), tenant_slug="acme")
    assert session.modified is False


def test_an_anonymous_visitor_is_sent_to_log_in(tenant):
    response = _call(ProbeView, AnonymousUser(), tenant_slug="acme")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_post_asks_its_own_capability_and_get_the_pages(tenant, member):
    marketer = member(tenant, Role.MARKETER)
    assert _call(AdminPostView, marketer, tenant_slug="acme").status_code == 200
    with pytest.raises(PermissionDenied) as refused:
        _call(AdminPostView, marketer, "post", tenant_slug="acme")
    assert str(refused.value) == "Your role (marketer) may not open this page."
    admin = member(tenant, Role.ADMIN)
    assert _call(AdminPostView, admin, "post", tenant_slug="acme").status_code == 200

    class AdminPage(ProbeView):
        capability = "tenant.admin"

    with pytest.raises(PermissionDenied):
        _call(AdminPage, marketer, "post", tenant_slug="acme")
    with pytest.raises(PermissionDenied):
        _call(AdminPage, marketer, tenant_slug="acme")


def test_a_template_is_rendered_inside_the_tenant_scope(tenant, member):
    user = member(tenant, Role.MARKETER)

    class Lazy(TenantPageMixin, View):
        def get(self, request):
            response = TemplateResponse(request, "tenancy/no_tenant.html", {})
            response.add_post_render_callback(lambda r: setattr(r, "scope", current_scope()))
            return response

    response = _call(Lazy, user, tenant_slug="acme")
    assert response.is_rendered and response.scope == (tenant.pk, False)


# --- landing and switching -----------------------------------------------------------------


def test_the_landing_page_opens_the_last_tenant_else_the_first_by_name(tenant, other_tenant):
    user = UserFactory()
    MembershipFactory(tenant=tenant, user=user)  # Acme
    MembershipFactory(tenant=other_tenant, user=user)  # Globex
    client = Client()
    client.force_login(user)
    assert client.get("/")["Location"] == "/t/acme/"
    client.get("/t/globex/")
    assert client.get("/")["Location"] == "/t/globex/"
    session = client.session
    session["current_tenant"] = "left-long-ago"
    session.save()
    assert client.get("/")["Location"] == "/t/acme/"


def test_the_landing_page_of_someone_in_no_tenant_says_so(db):
    client = Client()
    client.force_login(UserFactory())
    response = client.get("/")
    assert response.status_code == 200
    assert response.templates[0].name == "tenancy/no_tenant.html"
    assert Client().get("/")["Location"] == "/accounts/login/"


def test_switching_to_a_tenant_of_no_membership_is_no_such_tenant(tenant, other_tenant, member):
    from smarketing.tenancy.views import SwitchTenantView

    request = RequestFactory().post("/switch-tenant/", {"tenant": "globex"})
    request.user, request.session = member(tenant, Role.MARKETER), SessionStore()
    with pytest.raises(Http404) as refused:
        SwitchTenantView.as_view()(request)
    assert str(refused.value) == "No such tenant."
    assert "current_tenant" not in request.session


def test_switching_needs_a_membership_in_the_tenant(tenant, other_tenant, member):
    user = member(tenant, Role.MARKETER)
    client = Client()
    client.force_login(user)
    assert client.post("/switch-tenant/", {"tenant": "globex"}).status_code == 404
    assert client.post("/switch-tenant/", {"tenant": "nowhere"}).status_code == 404
    assert client.post("/switch-tenant/", {}).status_code == 404
    switched = client.post("/switch-tenant/", {"tenant": "acme"})
    assert switched["Location"] == "/t/acme/" and client.session["current_tenant"] == "acme"


# --- the operator's admin --------------------------------------------------------------------


@pytest.fixture
def operator_client(db):
    operator = UserFactory(is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(operator)
    return client


def test_the_admin_lists_every_tenants_rows(tenant, other_tenant, member, operator_client):
    ours, theirs = member(tenant, Role.MARKETER), member(other_tenant, Role.SALES_REP)
    ApiKeyFactory.issue(tenant=other_tenant, name="their key")
    InvitationFactory(tenant=tenant, email="invitee@acme.example")
    pages = {
        "membership": [ours.email, theirs.email],
        "apikey": ["their key"],
        "invitation": ["invitee@acme.example"],
        "auditentry": ["api_key.created"],
    }
    for model, texts in pages.items():
        page = operator_client.get(f"/admin/tenancy/{model}/")
        assert page.status_code == 200, model
        html = page.content.decode()
        for text in texts:
            assert text in html, (model, text)
    membership = Membership.all_tenants.get(user=theirs)
    change = operator_client.get(f"/admin/tenancy/membership/{membership.pk}/change/")
    assert change.status_code == 200 and theirs.email in change.content.decode()


def test_the_audit_log_cannot_be_written_through_the_admin(tenant, operator_client):
    entry = AuditEntry.all_tenants.first()
    assert operator_client.get("/admin/tenancy/auditentry/add/").status_code == 403
    view = operator_client.get(f"/admin/tenancy/auditentry/{entry.pk}/change/")
    assert view.status_code == 200 and 'name="_save"' not in view.content.decode()
    assert operator_client.get(f"/admin/tenancy/auditentry/{entry.pk}/delete/").status_code == 403
    assert AuditEntry.all_tenants.filter(pk=entry.pk).exists()


# --- the API keys page ---------------------------------------------------------------------


@pytest.fixture
def admin_api(tenant, member, api_client_for):
    return api_client_for(tenant, user=member(tenant, Role.ADMIN, email="admin@acme.example"))


@pytest.fixture
def admin_page(tenant, member):
    client = Client()
    client.force_login(member(tenant, Role.ADMIN, email="admin@acme.example"))
    return client


def test_the_key_page_offers_the_active_members_for_a_user_key(tenant, member, admin_page):
    rep = member(tenant, Role.SALES_REP, email="rep@acme.example")
    gone = member(tenant, Role.SALES_REP, email="gone@acme.example")
    with tenant_scope(tenant):
        Membership.objects.filter(user=gone).update(is_active=False)
    form = admin_page.get("/t/acme/settings/api-keys/").context["form"]
    assert form.fields["user"].choices == [
        ("", "—"),
        ("admin@acme.example", "admin@acme.example"),
        ("rep@acme.example", "rep@acme.example"),
    ]
    created = admin_page.post(
        "/t/acme/settings/api-keys/", {"name": "rep script", "kind": "user", "user": rep.email}
    )
    assert created.status_code == 200 and created.context["new_secret"].startswith("smk_")
    assert created.context["new_key"].user == rep
    integration = admin_page.post(
        "/t/acme/settings/api-keys/", {"name": "zap", "kind": "integration", "user": rep.email}
    )
    assert integration.context["new_key"].user is None


def test_the_key_page_says_what_is_missing_beside_the_field(tenant, admin_page):
    no_member = admin_page.post("/t/acme/settings/api-keys/", {"name": "k", "kind": "user"})
    assert no_member.status_code == 400
    assert no_member.context["form"].errors == {"user": ["Choose the member the key acts as."]}
    admin_page.post("/t/acme/settings/api-keys/", {"name": "dup", "kind": "integration"})
    again = admin_page.post("/t/acme/settings/api-keys/", {"name": "DUP", "kind": "integration"})
    assert again.status_code == 400
    assert again.context["form"].errors == {"name": ["An API key named 'DUP' exists already."]}


def test_the_key_page_lists_live_keys_first_newest_first(tenant, admin_page):
    old = ApiKeyFactory.issue(tenant=tenant, name="old")
    ApiKeyFactory.issue(tenant=tenant, name="new")
    ApiKeyFactory.issue(tenant=tenant, name="revoked")
    revoked = admin_page.post(
        f"/t/acme/settings/api-keys/{ApiKey.all_tenants.get(name='revoked').pk}/revoke/",
        follow=True,
    )
    assert revoked.redirect_chain == [("/t/acme/settings/api-keys/", 302)]
    assert "The key revoked is revoked." in revoked.content.decode()
    names = [k.name for k in revoked.context["keys"]]
    assert names[-1] == "revoked" and names.index("new") < names.index("old")
    assert ApiKey.all_tenants.get(pk=old.api_key.pk).revoked_at is None


def test_only_admins_revoke_a_key_from_the_page(tenant, member):
    key = ApiKeyFactory.issue(tenant=tenant, name="k")
    client = Client()
    client.force_login(member(tenant, Role.MANAGER))
    assert client.post(f"/t/acme/settings/api-keys/{key.api_key.pk}/revoke/").status_code == 403
    assert ApiKey.all_tenants.get(pk=key.api_key.pk).revoked_at is None


def test_the_api_refuses_a_user_key_without_a_member_and_an_integration_key_with_one(
    tenant, admin_api
):
    missing = admin_api.post("/api/v1/api-keys/", {"name": "a", "kind": "user"}, format="json")
    assert missing.json()["errors"] == {"user": ["A user key needs the member's e-mail."]}
    both = admin_api.post(
        "/api/v1/api-keys/",
        {"name": "b", "kind": "integration", "user": "admin@acme.example"},
        format="json",
    )
    assert both.json()["errors"] == {"user": ["An integration key acts as no user."]}
    stranger = admin_api.post(
        "/api/v1/api-keys/",
        {"name": "c", "kind": "user", "user": "x@nowhere.example"},
        format="json",
    )
    assert stranger.json()["errors"] == {"user": ["x@nowhere.example is not a member here."]}
    admin_api.post("/api/v1/api-keys/", {"name": "zap", "kind": "integration"}, format="json")
    listed = admin_api.get("/api/v1/api-keys/").json()["results"]
    assert [(k["kind"], k["user"]) for k in listed] == [
        ("integration", None),
        ("user", "admin@acme.example"),
    ]
