"""The SLA version services called directly, as meetings, the pages and the demo seed call
them: the exact refusal each caller reads, the rows written, the audit trail."""

from datetime import UTC, date, datetime

import pytest
from django.db import IntegrityError

from sla.errors import ActivationConflict, InvalidSlaData, NotADraft, NotSigned, SignNotAllowed
from sla.models import SlaStatus, SlaVersion, TenantCalendar
from sla.services import versions
from sla.services.versions import (
    sla_tenant_defaults_create,
    sla_version_activate,
    sla_version_create,
    sla_version_sign,
    sla_version_update,
)
from smarketing.tenancy.actors import Actor
from smarketing.tenancy.models import AuditEntry
from smarketing.tenancy.roles import Role
from smarketing.tenancy.scope import tenant_scope
from tests.sla.factories import ROME_OFFICE, SlaVersionFactory

pytestmark = pytest.mark.django_db

# 23:30 in UTC is already the next day in Rome: the review date counts from the local day.
LATE_EVENING_UTC = datetime(2027, 1, 31, 23, 30, tzinfo=UTC)


@pytest.fixture
def act(tenant, member):
    """act(role) -> an Actor: a new member of the tenant with that role."""
    return lambda role: Actor.member(member(tenant, role), role)


def audit_rows(tenant, action, target=None):
    rows = AuditEntry.all_tenants.filter(tenant=tenant, action=action).order_by("id")
    return list(rows if target is None else rows.filter(target_id=str(target.pk)))


def signed(tenant, act, **terms) -> SlaVersion:
    version = SlaVersionFactory(tenant=tenant, **terms)
    with tenant_scope(tenant):
        sla_version_sign(version=version, actor=act(Role.MARKETER), side="marketing")
        sla_version_sign(version=version, actor=act(Role.SALES_REP), side="sales")
    return version


# --- create ---------------------------------------------------------------------------------


def test_a_draft_with_unknown_terms_is_refused_naming_each_of_them(tenant, act):
    with tenant_scope(tenant), pytest.raises(InvalidSlaData) as refused:
        sla_version_create(tenant=tenant, actor=act(Role.MANAGER),
                           data={"name": "x", "status": "active", "colour": "red"})  # fmt: skip
    assert refused.value.errors == {"colour": ["Unknown field."], "status": ["Unknown field."]}
    assert SlaVersion.all_tenants.filter(tenant=tenant).count() == 1  # the default draft only


def test_drafting_writes_an_audit_row_with_the_number_and_name(tenant, act):
    manager = act(Role.MANAGER)
    with tenant_scope(tenant):
        version = sla_version_create(tenant=tenant, actor=manager, data={"name": "2027 H2"})
    assert (version.number, version.status, version.created_by) == (2, "draft", manager.user)
    [entry] = audit_rows(tenant, "sla.version_created", version)
    assert (entry.actor_id, entry.target_type, entry.target_id) == (
        manager.user.pk, "slaversion", str(version.pk),
    )  # fmt: skip
    assert entry.changes == {"number": 2, "name": "2027 H2"}


def test_the_first_draft_of_a_tenant_without_versions_is_number_one(tenant, act):
    SlaVersion.all_tenants.filter(tenant=tenant).delete()
    with tenant_scope(tenant):
        version = sla_version_create(tenant=tenant, actor=act(Role.MANAGER), data={"name": "x"})
    assert version.number == 1


def test_a_tenant_without_office_hours_drafts_on_its_own_timezone_and_holidays(tenant, act):
    TenantCalendar.all_tenants.filter(tenant=tenant).delete()
    tenant.timezone, tenant.country = "Europe/Rome", "IT"
    with tenant_scope(tenant):
        version = sla_version_create(tenant=tenant, actor=act(Role.MANAGER), data={"name": "x"})
    assert version.calendar["timezone"] == "Europe/Rome"
    assert version.calendar["holiday_country"] == "IT"
    assert version.calendar["working_hours"]["mon"] == [["09:00", "18:00"]]


# --- update ---------------------------------------------------------------------------------


def test_a_version_that_is_no_draft_is_not_edited_and_says_to_draft_a_new_one(tenant, act):
    active = SlaVersionFactory(tenant=tenant, active=True)
    with tenant_scope(tenant), pytest.raises(NotADraft) as refused:
        sla_version_update(version=active, actor=act(Role.MANAGER), data={"name": "x"})
    assert refused.value.detail == f"Version {active.number} is active; draft a new version."
    assert refused.value.code == "not_a_draft"


def test_an_edit_with_unknown_terms_is_refused_naming_them(tenant, act):
    draft = SlaVersionFactory(tenant=tenant, name="Kept")
    with tenant_scope(tenant), pytest.raises(InvalidSlaData) as refused:
        sla_version_update(version=draft, actor=act(Role.MANAGER),
                           data={"name": "x", "stage": "sql"})  # fmt: skip
    assert refused.value.errors == {"stage": ["Unknown field."]}
    assert SlaVersion.all_tenants.get(pk=draft.pk).name == "Kept"


def test_an_edit_is_audited_with_before_and_after_and_returned_to_the_caller(tenant, act):
    draft = signed(tenant, act, name="Old", accept_within_hours=4)
    manager = act(Role.MANAGER)
    with tenant_scope(tenant):
        returned = sla_version_update(version=draft, actor=manager,
                                      data={"name": "New", "accept_within_hours": 3})  # fmt: skip
    assert returned is draft
    assert (draft.name, draft.accept_within_hours) == ("New", 3)
    assert (draft.marketing_signed_by_id, draft.sales_signed_at) == (None, None)
    stored = SlaVersion.all_tenants.get(pk=draft.pk)
    assert (stored.name, stored.accept_within_hours) == ("New", 3)
    assert (stored.marketing_signed_at, stored.sales_signed_by_id) == (None, None)
    [entry] = audit_rows(tenant, "sla.version_changed")
    assert (entry.actor_id, entry.target_type, entry.target_id) == (
        manager.user.pk, "slaversion", str(draft.pk),
    )  # fmt: skip
    assert entry.changes == {"name": ["Old", "New"], "accept_within_hours": ["4.00", 3]}


def test_a_rename_keeps_both_signatures(tenant, act):
    draft = signed(tenant, act, name="Old")
    with tenant_scope(tenant):
        sla_version_update(version=draft, actor=act(Role.MANAGER), data={"name": "New"})
    stored = SlaVersion.all_tenants.get(pk=draft.pk)
    assert stored.name == "New"
    assert stored.marketing_signed_at is not None and stored.sales_signed_at is not None


def test_an_edit_that_changes_nothing_writes_nothing(tenant, act):
    draft = signed(tenant, act, name="Same")
    before = SlaVersion.all_tenants.get(pk=draft.pk).updated_at
    with tenant_scope(tenant):
        sla_version_update(version=draft, actor=act(Role.MANAGER), data={"name": "Same"})
    stored = SlaVersion.all_tenants.get(pk=draft.pk)
    assert stored.updated_at == before
    assert stored.marketing_signed_at is not None
    assert audit_rows(tenant, "sla.version_changed") == []


# --- sign -----------------------------------------------------------------------------------


def test_each_signature_is_audited_once_with_its_side(tenant, act):
    draft = SlaVersionFactory(tenant=tenant)
    marketer = act(Role.MARKETER)
    with tenant_scope(tenant):
        returned = sla_version_sign(version=draft, actor=marketer, side="marketing")
        sla_version_sign(version=draft, actor=marketer, side="marketing")  # again: nothing new
    assert returned is draft
    assert draft.marketing_signed_by_id == marketer.user.pk
    [entry] = audit_rows(tenant, "sla.version_signed")
    assert (entry.actor_id, entry.target_id, entry.changes) == (
        marketer.user.pk, str(draft.pk), {"side": "marketing"},
    )  # fmt: skip


# --- activate -------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.MARKETER, Role.SALES_REP])
def test_only_leaders_activate_and_the_refusal_says_so(tenant, act, role):
    draft = signed(tenant, act)
    with tenant_scope(tenant), pytest.raises(SignNotAllowed) as refused:
        sla_version_activate(version=draft, actor=act(role))
    assert refused.value.detail == "Only managers and admins activate an SLA version."
    assert SlaVersion.all_tenants.get(pk=draft.pk).status == SlaStatus.DRAFT


def test_the_system_activates_a_signed_draft(tenant, act):
    draft = signed(tenant, act)
    with tenant_scope(tenant):
        sla_version_activate(version=draft, actor=Actor.system())
    assert (draft.status, draft.activated_by_id) == (SlaStatus.ACTIVE, None)


def test_activating_twice_says_the_version_is_active_already(tenant, act):
    active = SlaVersionFactory(tenant=tenant, active=True)
    with tenant_scope(tenant), pytest.raises(NotADraft) as refused:
        sla_version_activate(version=active, actor=act(Role.MANAGER))
    assert refused.value.detail == f"Version {active.number} is active already."


@pytest.mark.parametrize(
    ("signed_sides", "missing", "words"),
    [
        ((), ["marketing", "sales"], "marketing and sales"),
        (("marketing",), ["sales"], "sales"),
        (("sales",), ["marketing"], "marketing"),
    ],
)
def test_an_unsigned_draft_is_not_activated_and_the_refusal_names_the_missing_sides(
    tenant, act, signed_sides, missing, words
):
    draft = SlaVersionFactory(tenant=tenant)
    with tenant_scope(tenant):
        for side in signed_sides:
            role = Role.MARKETER if side == "marketing" else Role.SALES_REP
            sla_version_sign(version=draft, actor=act(role), side=side)
        with pytest.raises(NotSigned) as refused:
            sla_version_activate(version=draft, actor=act(Role.MANAGER))
    assert refused.value.detail == f"Version {draft.number} still needs the {words} sign-off."
    assert refused.value.extra == {"missing": missing}


def test_activation_sets_the_review_date_from_the_local_day_and_is_audited(tenant, act):
    old = SlaVersionFactory(tenant=tenant, active=True)
    draft = signed(tenant, act, review_every_months=1, calendar=dict(ROME_OFFICE))
    manager = act(Role.MANAGER)
    with tenant_scope(tenant):
        returned = sla_version_activate(version=draft, actor=manager, now=LATE_EVENING_UTC)
    assert returned is draft
    stored = SlaVersion.all_tenants.get(pk=draft.pk)
    assert (stored.status, stored.activated_at, stored.activated_by_id) == (
        SlaStatus.ACTIVE, LATE_EVENING_UTC, manager.user.pk,
    )  # fmt: skip
    assert stored.updated_at == LATE_EVENING_UTC
    # 1 February in Rome, one month on: 1 March (31 January + 1 month would be 28 February).
    assert stored.review_on == date(2027, 3, 1)
    assert draft.review_on == date(2027, 3, 1)  # the caller's object is current
    retired = SlaVersion.all_tenants.get(pk=old.pk)
    assert (retired.status, retired.retired_at, retired.updated_at) == (
        SlaStatus.RETIRED, LATE_EVENING_UTC, LATE_EVENING_UTC,
    )  # fmt: skip
    [entry] = audit_rows(tenant, "sla.version_activated")
    assert (entry.actor_id, entry.target_id, entry.changes) == (
        manager.user.pk, str(draft.pk), {"status": ["draft", "active"]},
    )  # fmt: skip


def test_a_calendar_without_a_timezone_counts_the_review_from_the_utc_day(tenant, act):
    calendar = {key: value for key, value in ROME_OFFICE.items() if key != "timezone"}
    draft = signed(tenant, act, review_every_months=1)
    SlaVersion.all_tenants.filter(pk=draft.pk).update(calendar=calendar)
    with tenant_scope(tenant):
        sla_version_activate(version=draft, actor=act(Role.MANAGER), now=LATE_EVENING_UTC)
    assert SlaVersion.all_tenants.get(pk=draft.pk).review_on == date(2027, 2, 28)


def test_a_draft_changed_meanwhile_is_an_activation_conflict(tenant, act, monkeypatch):
    draft = signed(tenant, act)
    real = versions.signoff.missing_sides

    def retired_meanwhile(version):
        SlaVersion.all_tenants.filter(pk=draft.pk).update(status=SlaStatus.RETIRED)
        return real(version)

    monkeypatch.setattr(versions.signoff, "missing_sides", retired_meanwhile)
    with tenant_scope(tenant), pytest.raises(ActivationConflict) as refused:
        sla_version_activate(version=draft, actor=act(Role.MANAGER))
    assert refused.value.detail == "The version changed meanwhile; reload it."
    assert refused.value.code == "activation_conflict"
    assert audit_rows(tenant, "sla.version_activated") == []


def test_another_activation_meanwhile_is_an_activation_conflict(tenant, act, monkeypatch):
    elsewhere = SlaVersionFactory(tenant=tenant, active=True)
    draft = signed(tenant, act)
    manager = SlaVersion.objects
    real_filter = manager.filter

    def activated_after_the_retiring(*args, **conditions):
        # The version in force is missed by the retiring statement, as if it was activated
        # just after it: the database's one-active-version rule refuses the activation.
        if conditions == {"status": SlaStatus.ACTIVE}:
            return real_filter(pk__in=[])
        return real_filter(*args, **conditions)

    monkeypatch.setattr(manager, "filter", activated_after_the_retiring)
    with tenant_scope(tenant), pytest.raises(ActivationConflict) as refused:
        sla_version_activate(version=draft, actor=act(Role.MANAGER))
    assert refused.value.detail == "Another version became active meanwhile; reload."
    assert isinstance(refused.value.__cause__, IntegrityError)
    assert SlaVersion.all_tenants.get(pk=elsewhere.pk).status == SlaStatus.ACTIVE
    assert SlaVersion.all_tenants.get(pk=draft.pk).status == SlaStatus.DRAFT


# --- a new tenant's defaults ----------------------------------------------------------------


def test_a_new_tenants_defaults_are_created_once(tenant):
    TenantCalendar.all_tenants.filter(tenant=tenant).delete()
    SlaVersion.all_tenants.filter(tenant=tenant).delete()
    tenant.timezone, tenant.country = "Europe/Rome", "IT"
    with tenant_scope(tenant):
        office, version = sla_tenant_defaults_create(tenant=tenant)
        again = sla_tenant_defaults_create(tenant=tenant)
    assert again == (office, version)
    assert (office.is_default, office.definition["timezone"]) == (True, "Europe/Rome")
    assert office.definition["holiday_country"] == "IT"
    assert (version.number, version.name, version.status) == (1, "Default SLA", "draft")
    assert version.calendar == office.definition
    assert TenantCalendar.all_tenants.filter(tenant=tenant).count() == 1
    assert SlaVersion.all_tenants.filter(tenant=tenant).count() == 1
    [entry] = audit_rows(tenant, "sla.version_created", version)
    assert (entry.actor_id, entry.actor_role) == (None, "system")


def test_a_tenant_with_its_version_one_keeps_it_as_its_default(tenant):
    with tenant_scope(tenant):
        first = SlaVersion.objects.get(number=1)
        SlaVersionFactory(tenant=tenant)  # version 2 exists too
        _, version = sla_tenant_defaults_create(tenant=tenant)
    assert version.pk == first.pk
