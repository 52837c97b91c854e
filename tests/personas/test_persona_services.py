"""The persona services called directly, as the pages, the API and the demo seed call them:
the exact refusal each caller reads, the versions and rows written, the audit trail."""

from datetime import timedelta

import pytest
from django.utils import timezone

from personas.errors import (
    AlreadyApproved,
    ApprovalRefused,
    InvalidPersonaData,
    NotApprovable,
    PersonaDataConflict,
    StaleVersion,
)
from personas.models import (
    BuyerPersona,
    PersonaApproval,
    PersonaComment,
    PersonaVersion,
    RescoreJob,
)
from personas.services import (
    persona_approve,
    persona_comment_add,
    persona_create,
    persona_update,
)
from personas.services.authoring import MAX_COMMENT
from smarketing.tenancy.actors import Actor
from smarketing.tenancy.models import AuditEntry
from smarketing.tenancy.roles import INTEGRATION, Role
from smarketing.tenancy.scope import tenant_scope
from tests.personas.factories import (
    MANUFACTURING_CRITERIA,
    BuyerPersonaFactory,
    PersonaApprovalFactory,
    PersonaVersionFactory,
)
from tests.personas.helpers import approved_persona

pytestmark = pytest.mark.django_db

BODY = {"name": "Plant manager", "summary": "Runs the plant.", "criteria": MANUFACTURING_CRITERIA}


@pytest.fixture
def act(tenant, member):
    """act(role) -> an Actor: a new member of the tenant with that role."""
    return lambda role: Actor.member(member(tenant, role), role)


def audit_rows(tenant, action):
    return list(AuditEntry.all_tenants.filter(tenant=tenant, action=action).order_by("id"))


def versions_of(persona):
    return dict(PersonaVersion.all_tenants.filter(persona=persona).values_list("number", "status"))


# --- create ---------------------------------------------------------------------------------


def test_creating_writes_version_one_by_its_author_and_an_audit_row(tenant, act):
    marketer = act(Role.MARKETER)
    with tenant_scope(tenant):
        persona = persona_create(tenant=tenant, actor=marketer, data=BODY)
    assert persona.created_by == marketer.user
    version = PersonaVersion.all_tenants.get(persona=persona)
    assert (version.number, version.status, version.name, version.created_by) == (
        1, "draft", "Plant manager", marketer.user,
    )  # fmt: skip
    [entry] = audit_rows(tenant, "persona.created")
    assert (entry.actor_id, entry.target_type, entry.target_id, entry.target_label) == (
        marketer.user.pk, "buyerpersona", str(persona.pk), "Plant manager",
    )  # fmt: skip
    assert entry.changes == {"version": 1}


def test_a_persona_without_a_name_is_refused_and_nothing_is_written(tenant, act):
    with tenant_scope(tenant), pytest.raises(InvalidPersonaData) as refused:
        persona_create(tenant=tenant, actor=act(Role.MARKETER), data={"summary": "x"})
    assert refused.value.errors == {"name": ["A persona needs a name."]}
    assert not BuyerPersona.all_tenants.exists()


# --- update ---------------------------------------------------------------------------------


def test_an_edit_with_bad_content_is_refused_and_changes_nothing(tenant, act):
    persona = BuyerPersonaFactory(tenant=tenant, version__name="Kept")
    with tenant_scope(tenant), pytest.raises(InvalidPersonaData) as refused:
        persona_update(persona=persona, actor=act(Role.MARKETER), data={"name": " "})
    assert refused.value.errors == {"name": ["A persona needs a name."]}
    assert PersonaVersion.all_tenants.get().name == "Kept"


def test_an_edit_that_changes_nothing_writes_nothing(tenant, act):
    persona = BuyerPersonaFactory(tenant=tenant, version__name="Same")
    before = BuyerPersona.all_tenants.get(pk=persona.pk).updated_at
    with tenant_scope(tenant):
        version = persona_update(persona=persona, actor=act(Role.MARKETER), data={"name": "Same"})
    assert (version.number, version.name) == (1, "Same")
    assert BuyerPersona.all_tenants.get(pk=persona.pk).updated_at == before
    assert audit_rows(tenant, "persona.changed") == []


def test_an_unapproved_draft_is_edited_in_place_and_the_edit_audited(tenant, act):
    persona = BuyerPersonaFactory(tenant=tenant, version__name="Old", version__summary="Before")
    before = BuyerPersona.all_tenants.get(pk=persona.pk).updated_at
    marketer = act(Role.MARKETER)
    with tenant_scope(tenant):
        version = persona_update(persona=persona, actor=marketer,
                                 data={"summary": "After", "name": "New"})  # fmt: skip
    stored = PersonaVersion.all_tenants.get()
    assert (stored.pk, stored.number, stored.name, stored.summary) == (
        version.pk, 1, "New", "After",
    )  # fmt: skip
    assert BuyerPersona.all_tenants.get(pk=persona.pk).updated_at > before
    [entry] = audit_rows(tenant, "persona.changed")
    assert (entry.actor_id, entry.target_type, entry.target_id, entry.target_label) == (
        marketer.user.pk, "buyerpersona", str(persona.pk), "New",
    )  # fmt: skip
    assert entry.changes == {"version": 1, "fields": ["name", "summary"]}


def test_editing_a_half_approved_draft_archives_it_and_drafts_the_next_version(tenant, act):
    persona = BuyerPersonaFactory(tenant=tenant, version__name="Old", version__summary="Kept")
    PersonaApprovalFactory(version=PersonaVersion.all_tenants.get(), side="marketing")
    marketer = act(Role.MARKETER)
    with tenant_scope(tenant):
        version = persona_update(persona=persona, actor=marketer, data={"name": "New"})
    assert versions_of(persona) == {1: "archived", 2: "draft"}
    assert (version.number, version.name, version.summary, version.created_by) == (
        2, "New", "Kept", marketer.user,
    )  # fmt: skip
    assert version.tenant_id == tenant.pk
    [entry] = audit_rows(tenant, "persona.changed")
    assert entry.changes == {"version": 2, "fields": ["name"]}


def test_editing_an_approved_persona_leaves_the_approved_version_scoring(tenant, act):
    persona = approved_persona(tenant)
    with tenant_scope(tenant):
        persona_update(persona=persona, actor=act(Role.MARKETER), data={"name": "Next"})
    assert versions_of(persona) == {1: "approved", 2: "draft"}


# --- approve --------------------------------------------------------------------------------


def test_an_integration_key_cannot_approve(tenant):
    persona = BuyerPersonaFactory(tenant=tenant)
    integration = Actor(user=None, role=INTEGRATION, label="key")
    with tenant_scope(tenant), pytest.raises(ApprovalRefused) as refused:
        persona_approve(persona=persona, actor=integration, side="sales")
    assert refused.value.detail == "Approvals are given by people, not by integrations."
    assert not PersonaApproval.all_tenants.exists()


def test_approving_a_version_no_longer_current_names_the_current_one(tenant, act):
    persona = BuyerPersonaFactory(tenant=tenant)
    PersonaVersionFactory(persona=persona, number=2)
    with tenant_scope(tenant), pytest.raises(StaleVersion) as refused:
        persona_approve(persona=persona, actor=act(Role.MARKETER), version_number=1)
    assert refused.value.detail == (
        "Version 1 is no longer current: version 2 is. Review it and approve again."
    )


def test_approving_the_current_version_by_number_is_accepted(tenant, act):
    persona = BuyerPersonaFactory(tenant=tenant)
    PersonaVersionFactory(persona=persona, number=2)
    with tenant_scope(tenant):
        version = persona_approve(persona=persona, actor=act(Role.MARKETER), version_number=2)
    assert version.number == 2
    assert PersonaApproval.all_tenants.get().version.number == 2


def test_an_approved_version_is_not_approved_again(tenant, act):
    persona = approved_persona(tenant)
    with tenant_scope(tenant), pytest.raises(NotApprovable) as refused:
        persona_approve(persona=persona, actor=act(Role.MARKETER))
    assert refused.value.detail == "Version 1 is approved already."


def test_a_version_without_criteria_is_not_approvable_and_says_why(tenant, act):
    persona = BuyerPersonaFactory(tenant=tenant, version__criteria=[])
    with tenant_scope(tenant), pytest.raises(NotApprovable) as refused:
        persona_approve(persona=persona, actor=act(Role.MARKETER))
    assert refused.value.detail == (
        "A persona needs at least one criterion before it can be approved."
    )


def test_a_side_approved_already_names_who_approved_it(tenant, act):
    persona = BuyerPersonaFactory(tenant=tenant)
    first = act(Role.MARKETER)
    with tenant_scope(tenant):
        persona_approve(persona=persona, actor=first)
        with pytest.raises(AlreadyApproved) as refused:
            persona_approve(persona=persona, actor=act(Role.MARKETER))
    assert refused.value.detail == f"{first.user.email} approved version 1 for marketing already."


def test_a_side_approved_by_someone_who_left_says_someone(tenant, act):
    persona = BuyerPersonaFactory(tenant=tenant)
    PersonaApprovalFactory(version=PersonaVersion.all_tenants.get(), side="sales", user=None)
    with tenant_scope(tenant), pytest.raises(AlreadyApproved) as refused:
        persona_approve(persona=persona, actor=act(Role.SALES_REP))
    assert refused.value.detail == "someone approved version 1 for sales already."


def test_a_leader_who_approved_one_side_is_refused_the_other(tenant, act):
    persona = BuyerPersonaFactory(tenant=tenant)
    manager = act(Role.MANAGER)
    with tenant_scope(tenant):
        persona_approve(persona=persona, actor=manager, side="marketing")
        with pytest.raises(ApprovalRefused) as refused:
            persona_approve(persona=persona, actor=manager, side="sales")
    assert refused.value.detail == "You approved the other side: this side needs someone else."
    assert PersonaApproval.all_tenants.count() == 1


def test_the_first_approval_is_recorded_and_audited_as_half_of_it(tenant, act):
    persona = BuyerPersonaFactory(tenant=tenant, version__name="Plant manager")
    marketer = act(Role.MARKETER)
    with tenant_scope(tenant):
        version = persona_approve(persona=persona, actor=marketer)
    assert (version.number, version.status) == (1, "draft")
    approval = PersonaApproval.all_tenants.get()
    assert (approval.tenant_id, approval.version_id, approval.side) == (
        tenant.pk, version.pk, "marketing",
    )  # fmt: skip
    assert (approval.user, approval.role) == (marketer.user, Role.MARKETER)
    [entry] = audit_rows(tenant, "persona.approved")
    assert (entry.actor_id, entry.target_type, entry.target_id, entry.target_label) == (
        marketer.user.pk, "buyerpersona", str(persona.pk), "Plant manager",
    )  # fmt: skip
    assert entry.changes == {"version": 1, "side": "marketing", "fully_approved": False}
    assert not RescoreJob.all_tenants.exists()


def test_the_second_approval_approves_archives_the_old_one_and_queues_a_rescore(tenant, act, clock):
    persona = approved_persona(tenant)
    another = approved_persona(tenant)  # another persona's approved version keeps scoring
    PersonaVersionFactory(persona=persona, number=2, name="Plant manager")
    before = BuyerPersona.all_tenants.get(pk=persona.pk).updated_at
    now = clock.set(timezone.now() + timedelta(minutes=5))
    rep = act(Role.SALES_REP)
    with tenant_scope(tenant):
        persona_approve(persona=persona, actor=act(Role.MARKETER))
        version = persona_approve(persona=persona, actor=rep)
    assert (version.number, version.status, version.approved_at) == (2, "approved", now)
    assert versions_of(persona) == {1: "archived", 2: "approved"}
    assert versions_of(another) == {1: "approved"}
    assert PersonaVersion.all_tenants.get(number=2).approved_at == now
    assert BuyerPersona.all_tenants.get(pk=persona.pk).updated_at == now != before
    last = audit_rows(tenant, "persona.approved")[-1]
    assert last.changes == {"version": 2, "side": "sales", "fully_approved": True}
    job = RescoreJob.all_tenants.get()
    assert (job.reason, job.requested_by) == ("Plant manager v2 approved", rep.user)


# --- comments -------------------------------------------------------------------------------


@pytest.mark.parametrize("body", ["", "   ", None, 42])
def test_an_empty_comment_is_refused_beside_the_body(tenant, act, body):
    persona = BuyerPersonaFactory(tenant=tenant)
    with tenant_scope(tenant), pytest.raises(InvalidPersonaData) as refused:
        persona_comment_add(persona=persona, actor=act(Role.MARKETER), body=body)
    assert refused.value.errors == {"body": ["Write something."]}
    assert not PersonaComment.all_tenants.exists()


def test_a_comment_is_limited_in_length_counted_without_its_blanks(tenant, act):
    persona = BuyerPersonaFactory(tenant=tenant)
    marketer = act(Role.MARKETER)
    with tenant_scope(tenant):
        longest = persona_comment_add(
            persona=persona, actor=marketer, body=f"  {'x' * MAX_COMMENT}  "
        )
        with pytest.raises(InvalidPersonaData) as refused:
            persona_comment_add(persona=persona, actor=marketer, body="x" * (MAX_COMMENT + 1))
    assert len(longest.body) == MAX_COMMENT == 5000
    assert refused.value.errors == {"body": ["At most 5000 characters."]}
    assert PersonaComment.all_tenants.count() == 1


def test_a_comment_goes_on_the_version_named_or_else_the_current_one(tenant, act):
    persona = BuyerPersonaFactory(tenant=tenant)
    PersonaVersionFactory(persona=persona, number=2)
    rep = act(Role.SALES_REP)
    with tenant_scope(tenant):
        on_current = persona_comment_add(persona=persona, actor=rep, body=" Add logistics? ")
        on_first = persona_comment_add(persona=persona, actor=rep, body="Why?", version_number=1)
    assert (on_current.version.number, on_current.body) == (2, "Add logistics?")
    assert on_first.version.number == 1
    stored = PersonaComment.all_tenants.get(pk=on_current.pk)
    assert (stored.tenant_id, stored.author, stored.role) == (tenant.pk, rep.user, Role.SALES_REP)


def test_a_comment_on_a_version_the_persona_lacks_is_a_conflict_naming_it(tenant, act):
    persona = BuyerPersonaFactory(tenant=tenant)
    with tenant_scope(tenant), pytest.raises(PersonaDataConflict) as refused:
        persona_comment_add(persona=persona, actor=act(Role.MARKETER), body="x", version_number=3)
    assert refused.value.errors == {"version": ["This persona has no version 3."]}
