"""Who may change a member, what each change is called in the audit log, and what ending a
member's access takes away (smarketing/tenancy/members/services.py)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.utils import timezone

from smarketing.tenancy.actors import Actor
from smarketing.tenancy.errors import InvalidSettings, NotAdmin
from smarketing.tenancy.members import services
from smarketing.tenancy.members.services import member_join, member_update, sessions_end
from smarketing.tenancy.models import ApiKey, AuditEntry, Membership
from smarketing.tenancy.roles import Role
from smarketing.tenancy.scope import tenant_scope
from tests.factories import ApiKeyFactory, UserFactory

pytestmark = pytest.mark.django_db

ROLES = "Use one of admin, manager, marketer, sales_rep."
LAST_ADMIN = "The tenant must keep at least one active admin."


@pytest.fixture
def admin_actor(tenant, admin):
    return Actor(user=admin, role=Role.ADMIN, label=admin.email, ip="10.1.2.3")


def _membership(tenant, user) -> Membership:
    return Membership.objects.get(user=user)


def _update(tenant, user, actor, **data) -> Membership:
    with tenant_scope(tenant):
        return member_update(membership=_membership(tenant, user), actor=actor, data=data)


def _entries(tenant) -> list[AuditEntry]:
    """The rows people's changes wrote (not the tenant's defaults, nor keys the test issued)."""
    with tenant_scope(tenant):
        return list(AuditEntry.objects.exclude(actor_role="system").order_by("id"))


@pytest.mark.parametrize(
    ("role", "data", "message"),
    [
        (Role.MANAGER, {"role": Role.ADMIN}, "Only admins change roles or deactivate members."),
        (Role.MANAGER, {"is_active": False}, "Only admins change roles or deactivate members."),
        (Role.MARKETER, {"is_away": True}, "Only managers and admins set a member away."),
        (Role.SALES_REP, {"is_away": True}, "Only managers and admins set a member away."),
    ],
)
def test_who_may_change_what_of_a_member(tenant, member, role, data, message):
    rep = member(tenant, Role.SALES_REP)
    actor = Actor.member(member(tenant, role), role)
    with pytest.raises(NotAdmin) as refused:
        _update(tenant, rep, actor, **data)
    assert refused.value.detail == message and refused.value.code == "permission_denied"
    with tenant_scope(tenant):
        assert not AuditEntry.objects.exclude(actor_role="system").exists()


def test_a_manager_sets_a_member_away_and_it_is_audited_as_an_update(tenant, member):
    rep = member(tenant, Role.SALES_REP)
    manager = member(tenant, Role.MANAGER)
    updated = _update(tenant, rep, Actor.member(manager, Role.MANAGER), is_away=1)
    assert updated.is_away is True
    with tenant_scope(tenant):
        assert _membership(tenant, rep).is_away is True
    (entry,) = _entries(tenant)
    assert entry.action == "member.updated"
    assert entry.changes == {"is_away": [False, True]}
    assert (entry.target_type, entry.target_id, entry.target_label) == (
        "membership",
        str(updated.pk),
        rep.email,
    )
    assert entry.actor_id == manager.pk and entry.actor_role == Role.MANAGER


def test_an_unknown_role_is_refused_beside_the_field(tenant, member, admin_actor):
    rep = member(tenant, Role.SALES_REP)
    with pytest.raises(InvalidSettings) as refused:
        _update(tenant, rep, admin_actor, role="owner")
    assert refused.value.errors == {"role": [ROLES]}


def test_a_change_to_nothing_writes_nothing(tenant, member, admin_actor):
    rep = member(tenant, Role.SALES_REP)
    same = _update(tenant, rep, admin_actor, role=Role.SALES_REP, is_active=True, is_away=False)
    assert same.role == Role.SALES_REP
    assert _entries(tenant) == []


def test_a_role_change_is_audited_with_before_and_after(tenant, member, admin_actor):
    rep = member(tenant, Role.SALES_REP)
    _update(tenant, rep, admin_actor, role=Role.MARKETER)
    with tenant_scope(tenant):
        assert _membership(tenant, rep).role == Role.MARKETER
    (entry,) = _entries(tenant)
    assert entry.action == "member.role_changed"
    assert entry.changes == {"role": ["sales_rep", "marketer"]}
    assert entry.ip == "10.1.2.3" and entry.actor_label == "admin@acme.example"


def test_the_last_active_admin_stays_whichever_way_they_would_go(
    tenant, admin, admin_actor, member
):
    member(tenant, Role.MANAGER)  # other members are no admins to stay
    with pytest.raises(InvalidSettings) as demoted:
        _update(tenant, admin, admin_actor, role=Role.MANAGER)
    assert demoted.value.errors == {"role": [LAST_ADMIN]}
    with pytest.raises(InvalidSettings) as deactivated:
        _update(tenant, admin, admin_actor, is_active=False)
    assert deactivated.value.errors == {"is_active": [LAST_ADMIN]}
    with pytest.raises(InvalidSettings) as both:
        _update(tenant, admin, admin_actor, role=Role.MANAGER, is_active=False)
    assert both.value.errors == {"is_active": [LAST_ADMIN]}


def test_an_admin_may_step_down_while_another_admin_stays(tenant, admin, admin_actor, member):
    other = member(tenant, Role.ADMIN)
    stepped = _update(tenant, admin, admin_actor, role=Role.MANAGER)
    assert stepped.role == Role.MANAGER
    # Now `other` is the last one.
    with pytest.raises(InvalidSettings):
        _update(tenant, other, admin_actor, is_active=False)


def test_an_inactive_admin_does_not_count_as_the_admin_who_stays(
    tenant, admin, admin_actor, member
):
    dormant = member(tenant, Role.ADMIN)
    with tenant_scope(tenant):
        Membership.objects.filter(user=dormant).update(is_active=False)
    with pytest.raises(InvalidSettings):
        _update(tenant, admin, admin_actor, role=Role.MARKETER)


def test_deactivation_revokes_the_persons_keys_here_and_says_so(
    tenant, other_tenant, member, admin_actor, monkeypatch, django_capture_on_commit_callbacks
):
    leaving = member(tenant, Role.SALES_REP)
    ApiKeyFactory.issue(tenant=tenant, user=leaving, name="script")
    ApiKeyFactory.issue(tenant=tenant, user=leaving, name="laptop")
    old = ApiKeyFactory.issue(tenant=tenant, user=leaving, name="old")
    with tenant_scope(tenant):
        ApiKey.objects.filter(pk=old.api_key.pk).update(
            revoked_at=timezone.now() - timedelta(days=3)
        )
    from tests.factories import MembershipFactory

    MembershipFactory(tenant=other_tenant, user=leaving, role=Role.SALES_REP)
    elsewhere = ApiKeyFactory.issue(tenant=other_tenant, user=leaving, name="elsewhere")
    ApiKeyFactory.issue(tenant=tenant, user=member(tenant, Role.MARKETER), name="colleague")
    published = []
    monkeypatch.setattr(
        services, "publish", lambda event, **kwargs: published.append((event, kwargs))
    )
    with django_capture_on_commit_callbacks() as callbacks:
        _update(tenant, leaving, admin_actor, is_active=False)
    entries = _entries(tenant)
    assert [e.action for e in entries if e.action != "api_key.created"] == [
        "member.deactivated",
        "api_key.revoked",
    ]
    deactivated, revoked = (e for e in entries if e.action != "api_key.created")
    assert deactivated.changes == {"is_active": [True, False]}
    assert sorted(revoked.changes["keys"]) == ["laptop", "script"]
    assert (revoked.target_type, revoked.target_id, revoked.target_label) == (
        "user",
        str(leaving.pk),
        leaving.email,
    )
    assert revoked.ip == "10.1.2.3"
    with tenant_scope(tenant):
        revoked_at = dict(ApiKey.objects.values_list("name", "revoked_at"))
    assert revoked_at["script"] is not None and revoked_at["laptop"] is not None
    assert revoked_at["old"] < timezone.now() - timedelta(days=2)  # kept its own date
    assert revoked_at["colleague"] is None  # a colleague's key is neither revoked nor named
    with tenant_scope(other_tenant):
        assert ApiKey.objects.get(pk=elsewhere.api_key.pk).revoked_at is None
    assert [event for event, _ in published] == ["member.deactivated"]
    assert published[0][1]["data"] == {"user_id": leaving.pk, "email": leaving.email}
    assert published[0][1]["tenant"] == tenant and published[0][1]["actor"] == admin_actor
    assert len(callbacks) >= 1


def test_deactivating_someone_without_keys_writes_no_revocation(tenant, member, admin_actor):
    leaving = member(tenant, Role.MARKETER)
    _update(tenant, leaving, admin_actor, is_active=False)
    assert [e.action for e in _entries(tenant)] == ["member.deactivated"]


def test_reactivation_is_audited_as_such_and_ends_nothing(tenant, member, admin_actor):
    back = member(tenant, Role.MARKETER)
    key = ApiKeyFactory.issue(tenant=tenant, user=back, name="kept")
    with tenant_scope(tenant):
        Membership.objects.filter(user=back).update(is_active=False)
    _update(tenant, back, admin_actor, is_active=True, role=Role.MANAGER)
    entries = [e for e in _entries(tenant) if e.action != "api_key.created"]
    assert [e.action for e in entries] == ["member.reactivated"]
    assert entries[0].changes == {"role": ["marketer", "manager"], "is_active": [False, True]}
    with tenant_scope(tenant):
        assert ApiKey.objects.get(pk=key.api_key.pk).revoked_at is None


def _session_of(user, *, expires_in: timedelta) -> str:
    store = SessionStore()
    store["_auth_user_id"] = str(user.pk)
    store.set_expiry(int(expires_in.total_seconds()))
    store.create()
    return store.session_key


def test_ending_sessions_ends_only_the_persons_live_ones(tenant, member):
    person, other = member(tenant, Role.MARKETER), member(tenant, Role.MARKETER)
    _session_of(person, expires_in=timedelta(hours=1))
    _session_of(person, expires_in=timedelta(hours=2))
    theirs = _session_of(other, expires_in=timedelta(hours=1))
    assert sessions_end(user_id=person.pk) == 2
    assert list(Session.objects.values_list("session_key", flat=True)) == [theirs]
    assert sessions_end(user_id=person.pk) == 0


def test_an_expired_session_is_left_to_the_cleanup(tenant, member):
    person = member(tenant, Role.MARKETER)
    key = _session_of(person, expires_in=timedelta(hours=1))
    Session.objects.filter(pk=key).update(expire_date=timezone.now() - timedelta(seconds=1))
    assert sessions_end(user_id=person.pk) == 0
    assert Session.objects.filter(pk=key).exists()


def test_a_new_member_joins_with_the_invited_role(tenant, admin_actor):
    person = UserFactory(email="new@example.com")
    with tenant_scope(tenant):
        joined = member_join(tenant=tenant, user=person, role=Role.MARKETER, actor=admin_actor)
        assert Membership.objects.get(user=person).role == Role.MARKETER
    (entry,) = _entries(tenant)
    assert entry.action == "member.joined" and entry.changes == {"role": [None, "marketer"]}
    assert (entry.target_type, entry.target_id, entry.target_label) == (
        "membership",
        str(joined.pk),
        "new@example.com",
    )
    assert entry.actor_label == "admin@acme.example"


def test_a_former_member_rejoins_active_with_the_new_role(tenant, member, admin_actor):
    person = member(tenant, Role.SALES_REP)
    with tenant_scope(tenant):
        Membership.objects.filter(user=person).update(is_active=False)
        joined = member_join(tenant=tenant, user=person, role=Role.MANAGER, actor=admin_actor)
        stored = Membership.objects.get(user=person)
    assert (stored.pk, stored.role, stored.is_active) == (joined.pk, Role.MANAGER, True)
    (entry,) = _entries(tenant)
    assert entry.changes == {"role": ["sales_rep", "manager"], "is_active": [False, True]}


def test_a_change_that_does_not_name_away_keeps_the_member_away(tenant, member, admin_actor):
    rep = member(tenant, Role.SALES_REP)
    with tenant_scope(tenant):
        Membership.objects.filter(user=rep).update(is_away=True)
    _update(tenant, rep, admin_actor, role=Role.MARKETER)
    with tenant_scope(tenant):
        stored = _membership(tenant, rep)
    assert (stored.role, stored.is_away, stored.is_active) == (Role.MARKETER, True, True)
    (entry,) = _entries(tenant)
    assert entry.changes == {"role": ["sales_rep", "marketer"]}


def test_a_role_change_or_an_away_leaves_the_persons_keys_and_sessions_alone(
    tenant, member, admin_actor, monkeypatch, django_capture_on_commit_callbacks
):
    person = member(tenant, Role.SALES_REP)
    key = ApiKeyFactory.issue(tenant=tenant, user=person, name="script")
    session = _session_of(person, expires_in=timedelta(hours=1))
    former = member(tenant, Role.SALES_REP)  # gone already: their work was handed on then
    with tenant_scope(tenant):
        Membership.objects.filter(user=former).update(is_active=False)
    published = []
    monkeypatch.setattr(services, "publish", lambda event, **kwargs: published.append(event))
    with django_capture_on_commit_callbacks(execute=True):
        _update(tenant, person, admin_actor, role=Role.MARKETER)
        _update(tenant, person, admin_actor, is_away=True)
        _update(tenant, former, admin_actor, role=Role.MARKETER)
    with tenant_scope(tenant):
        assert ApiKey.objects.get(pk=key.api_key.pk).revoked_at is None
    assert Session.objects.filter(pk=session).exists()
    assert published == []
    assert [e.action for e in _entries(tenant) if e.action != "api_key.created"] == [
        "member.role_changed",
        "member.updated",
        "member.role_changed",
    ]


def test_a_deactivation_ends_the_persons_sessions_once_it_commits(
    tenant, member, admin_actor, django_capture_on_commit_callbacks
):
    leaving, staying = member(tenant, Role.MARKETER), member(tenant, Role.MARKETER)
    _session_of(leaving, expires_in=timedelta(hours=1))
    kept = _session_of(staying, expires_in=timedelta(hours=1))
    with django_capture_on_commit_callbacks(execute=True):
        _update(tenant, leaving, admin_actor, is_active=False)
    assert list(Session.objects.values_list("session_key", flat=True)) == [kept]


def test_the_last_admin_may_change_what_keeps_them_an_active_admin(tenant, admin, admin_actor):
    away = _update(tenant, admin, admin_actor, role=Role.ADMIN, is_active=True, is_away=True)
    assert (away.role, away.is_active, away.is_away) == (Role.ADMIN, True, True)
    (entry,) = _entries(tenant)
    assert (entry.action, entry.changes) == ("member.updated", {"is_away": [False, True]})
