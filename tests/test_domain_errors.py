"""Every refusal a lead or SLA service raises, reached the way a caller reaches it, with the
status and the `code` the caller gets.

A new `raise` of a domain error in these services gets a row here (see docs/testing.md).
"""

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from leads.models import Stage
from leads.services import lead_accept, lead_assign, lead_erase, lead_touch_log
from smarketing.api.errors import http_status
from smarketing.errors import DomainError
from smarketing.tenancy.actors import Actor
from smarketing.tenancy.roles import Role
from smarketing.tenancy.scope import tenant_scope
from tests.leads.factories import LeadFactory

pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class Refusal:
    status: int
    code: str


FORBIDDEN = Refusal(403, "permission_denied")
ILLEGAL = Refusal(409, "illegal_transition")


@dataclass
class World:
    tenant: object
    client: Callable  # client(role) -> an API client acting with that role


@pytest.fixture
def world(tenant, api_client_for):
    return World(tenant, lambda role: api_client_for(tenant, role))


def _post(client, url, body=None):
    return client.post(url, body or {}, format="json")


# --- leads: each case arranges a lead and makes one call ------------------------------------


def accept_an_sql_routed_to_another_rep(w: World):
    routed_to = w.client(Role.SALES_REP).user
    lead = LeadFactory(tenant=w.tenant, stage=Stage.SQL, owner=routed_to)
    return _post(w.client(Role.SALES_REP), f"/api/v1/leads/{lead.pk}/accept/")


def accept_a_lead_that_is_no_sql(w: World):
    lead = LeadFactory(tenant=w.tenant, stage=Stage.MQL)
    return _post(w.client(Role.SALES_REP), f"/api/v1/leads/{lead.pk}/accept/")


def reject_a_lead_that_is_no_sql(w: World):
    lead = LeadFactory(tenant=w.tenant, stage=Stage.MQL)
    body = {"reason_code": "no_budget"}
    return _post(w.client(Role.SALES_REP), f"/api/v1/leads/{lead.pk}/reject/", body)


def move_a_lead_where_the_table_has_no_move(w: World):
    lead = LeadFactory(tenant=w.tenant, stage=Stage.LEAD)
    return _post(w.client(Role.MANAGER), f"/api/v1/leads/{lead.pk}/transition/", {"to": "won"})


def move_an_unaccepted_sql_to_opportunity(w: World):
    lead = LeadFactory(tenant=w.tenant, stage=Stage.SQL)
    body = {"to": "opportunity"}
    return _post(w.client(Role.MANAGER), f"/api/v1/leads/{lead.pk}/transition/", body)


def move_an_accepted_sql_as_a_marketer(w: World):
    rep = w.client(Role.SALES_REP).user
    lead = LeadFactory(tenant=w.tenant, stage=Stage.SQL, owner=rep, accepted_at=timezone.now())
    body = {"to": "opportunity"}
    return _post(w.client(Role.MARKETER), f"/api/v1/leads/{lead.pk}/transition/", body)


def accept_as_a_marketer(w: World):
    lead = LeadFactory(tenant=w.tenant, stage=Stage.SQL)
    return _post(w.client(Role.MARKETER), f"/api/v1/leads/{lead.pk}/accept/")


def assign_as_a_rep(w: World):
    lead = LeadFactory(tenant=w.tenant, stage=Stage.SQL)
    rep = w.client(Role.SALES_REP)
    return _post(rep, f"/api/v1/leads/{lead.pk}/assign/", {"owner": rep.user.email})


def reassign_a_won_lead(w: World):
    rep = w.client(Role.SALES_REP).user
    lead = LeadFactory(tenant=w.tenant, stage=Stage.WON, owner=rep, accepted_at=timezone.now())
    other = w.client(Role.SALES_REP).user
    return _post(w.client(Role.MANAGER), f"/api/v1/leads/{lead.pk}/assign/", {"owner": other.email})


def erase_as_a_manager(w: World):
    lead = LeadFactory(tenant=w.tenant)
    return _post(w.client(Role.MANAGER), f"/api/v1/leads/{lead.pk}/erase/")


def log_a_touch_as_a_marketer(w: World):
    lead = LeadFactory(tenant=w.tenant, stage=Stage.SQL)
    body = {"type": "call", "note": "Left a voicemail"}
    return _post(w.client(Role.MARKETER), f"/api/v1/leads/{lead.pk}/touches/", body)


def import_without_a_file(w: World):
    return w.client(Role.MARKETER).post("/api/v1/imports/", {}, format="multipart")


def import_a_file_that_is_no_csv_text(w: World):
    upload = SimpleUploadedFile("leads.csv", b"\x89PNG\r\n\x1a\n\x00\x00binary", "text/csv")
    return w.client(Role.MARKETER).post("/api/v1/imports/", {"file": upload}, format="multipart")


# --- SLA versions ---------------------------------------------------------------------------


def _draft(w: World) -> int:
    return _post(w.client(Role.MANAGER), "/api/v1/sla/", {"name": "v"}).json()["id"]


def _sign(w: World, version_id: int, role: str, side: str, client=None):
    client = client or w.client(role)
    return _post(client, f"/api/v1/sla/{version_id}/sign/", {"side": side})


def _active(w: World) -> int:
    version_id = _draft(w)
    _sign(w, version_id, Role.MARKETER, "marketing")
    _sign(w, version_id, Role.SALES_REP, "sales")
    _post(w.client(Role.MANAGER), f"/api/v1/sla/{version_id}/activate/")
    return version_id


def sign_for_the_other_team(w: World):
    return _sign(w, _draft(w), Role.MARKETER, "sales")


def sign_both_sides_alone(w: World):
    version_id = _draft(w)
    manager = w.client(Role.MANAGER)
    _sign(w, version_id, Role.MANAGER, "marketing", client=manager)
    return _sign(w, version_id, Role.MANAGER, "sales", client=manager)


def sign_a_side_twice(w: World):
    version_id = _draft(w)
    _sign(w, version_id, Role.MARKETER, "marketing")
    return _sign(w, version_id, Role.MARKETER, "marketing")


def sign_an_active_version(w: World):
    return _sign(w, _active(w), Role.MARKETER, "marketing")


def edit_an_active_version(w: World):
    version_id = _active(w)
    return w.client(Role.MANAGER).patch(
        f"/api/v1/sla/{version_id}/", {"name": "changed"}, format="json"
    )


def activate_as_a_rep(w: World):
    return _post(w.client(Role.SALES_REP), f"/api/v1/sla/{_draft(w)}/activate/")


def activate_without_both_signatures(w: World):
    version_id = _draft(w)
    _sign(w, version_id, Role.MARKETER, "marketing")
    return _post(w.client(Role.MANAGER), f"/api/v1/sla/{version_id}/activate/")


def activate_the_active_version_again(w: World):
    return _post(w.client(Role.MANAGER), f"/api/v1/sla/{_active(w)}/activate/")


CASES = [
    (accept_an_sql_routed_to_another_rep, FORBIDDEN),
    (accept_a_lead_that_is_no_sql, ILLEGAL),
    (reject_a_lead_that_is_no_sql, ILLEGAL),
    (move_a_lead_where_the_table_has_no_move, ILLEGAL),
    (move_an_unaccepted_sql_to_opportunity, ILLEGAL),
    (move_an_accepted_sql_as_a_marketer, FORBIDDEN),
    (accept_as_a_marketer, FORBIDDEN),
    (assign_as_a_rep, FORBIDDEN),
    (reassign_a_won_lead, ILLEGAL),
    (erase_as_a_manager, FORBIDDEN),
    (log_a_touch_as_a_marketer, FORBIDDEN),
    (import_without_a_file, Refusal(400, "invalid_file")),
    (import_a_file_that_is_no_csv_text, Refusal(400, "invalid_file")),
    (sign_for_the_other_team, FORBIDDEN),
    (sign_both_sides_alone, FORBIDDEN),
    (sign_a_side_twice, Refusal(409, "already_signed")),
    (sign_an_active_version, Refusal(409, "not_a_draft")),
    (edit_an_active_version, Refusal(409, "not_a_draft")),
    (activate_as_a_rep, FORBIDDEN),
    (activate_without_both_signatures, Refusal(409, "not_signed")),
    (activate_the_active_version_again, Refusal(409, "not_a_draft")),
]


@pytest.mark.parametrize(("call", "refusal"), CASES, ids=[call.__name__ for call, _ in CASES])
def test_a_refused_call_answers_its_status_and_code(world, call, refusal):
    response = call(world)
    body = response.json()
    assert (response.status_code, body.get("code")) == (refusal.status, refusal.code), body
    assert response["Content-Type"] == "application/problem+json"


def test_a_rep_cannot_take_an_sql_routed_to_another_rep_and_its_owner_stays(world):
    routed_to = world.client(Role.SALES_REP).user
    lead = LeadFactory(tenant=world.tenant, stage=Stage.SQL, owner=routed_to)
    response = _post(world.client(Role.SALES_REP), f"/api/v1/leads/{lead.pk}/accept/")
    assert response.status_code == 403
    assert routed_to.email in response.json()["detail"]
    lead.refresh_from_db()
    assert (lead.owner_id, lead.accepted_at) == (routed_to.pk, None)


# --- rules the API's role check answers first: the service still refuses on its own --------


def _refusal_of(service, **kwargs) -> Refusal:
    """The refusal as the API would answer it."""
    with pytest.raises(DomainError) as raised:
        service(**kwargs)
    return Refusal(http_status(raised.value), raised.value.code)


@pytest.mark.parametrize(
    ("service", "role", "extra"),
    [
        (lead_accept, Role.MARKETER, {}),
        (lead_assign, Role.SALES_REP, {"owner_email": "someone@example.com"}),
        (lead_erase, Role.MANAGER, {}),
        (lead_touch_log, Role.MARKETER, {"type": "call", "note": "hello"}),
    ],
    ids=["accept", "assign", "erase", "touch"],
)
def test_services_refuse_the_wrong_role_even_when_no_view_asked_first(
    tenant, member, service, role, extra
):
    lead = LeadFactory(tenant=tenant, stage=Stage.SQL)
    actor = Actor.member(member(tenant, role), role)
    with tenant_scope(tenant):
        assert _refusal_of(service, lead=lead, actor=actor, **extra) == FORBIDDEN
