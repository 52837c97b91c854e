"""What an erasure writes about itself and what it replaces: counts without the person, and
the stand-ins for each personal value."""

from datetime import timedelta

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from leads.errors import NotAllowed
from leads.models import Campaign, Lead, StageTransition
from leads.services import lead_erase
from leads.services.erasure import erasure_note, lead_redaction
from smarketing import events
from smarketing.tenancy.actors import Actor
from smarketing.tenancy.audit_models import AuditEntry
from smarketing.tenancy.roles import Role
from smarketing.tenancy.scope import tenant_scope
from tests.leads.factories import LeadEventFactory, LeadFactory, StageTransitionFactory

pytestmark = pytest.mark.django_db


def test_the_erasure_note_lists_what_was_rewritten_by_name_and_leaves_out_nothing_done():
    assert erasure_note({"notes": 2, "events": 0, "admin_log": 1, "outbox_events": 3}) == (
        "Personal data erased on request. Rewritten: admin log: 1, notes: 2, outbox events: 3."
    )
    assert erasure_note({"events": 0}) == "Personal data erased on request."
    assert erasure_note({}) == "Personal data erased on request."


def test_the_redaction_replaces_the_address_and_blanks_every_personal_field():
    lead = Lead(pk=41, email="ada@x.com", first_name="Ada", last_name="Lovelace",
                company="Analytical Engines", title="Countess",
                phone="+44 20 7946 0000")  # fmt: skip
    redaction = lead_redaction(lead)
    assert redaction.email == "ada@x.com"
    assert redaction.record_fields == {
        "email": "erased-41@erased.invalid", "first_name": "", "last_name": "", "company": "",
        "title": "", "phone": "", "custom_fields": {},
    }  # fmt: skip
    assert redaction.whole["ada@x.com"] == "erased-41@erased.invalid"
    assert {"ada lovelace", "ada", "lovelace", "analytical engines", "countess",
            "+44 20 7946 0000"} <= set(redaction.whole)  # fmt: skip


# --- what `lead_erase` writes about itself -------------------------------------------------


@pytest.fixture
def admin(tenant, member):
    return Actor.member(member(tenant, Role.ADMIN), Role.ADMIN)


def erase(lead, actor):
    with tenant_scope(lead.tenant):
        return lead_erase(lead=lead, actor=actor)


def test_the_erasure_counts_the_events_notes_and_admin_log_entries_it_rewrote(tenant, admin):
    lead = LeadFactory(tenant=tenant, email="ada@x.com", first_name="Ada")
    LeadEventFactory(lead=lead, tenant=tenant, properties={"ip": "1.2.3.4"})
    LeadEventFactory(lead=lead, tenant=tenant, properties={})  # nothing to rewrite
    StageTransitionFactory(lead=lead, tenant=tenant, note="Ada said yes")
    StageTransitionFactory(lead=lead, tenant=tenant, note="")
    other = LeadFactory(tenant=tenant, email="grace@x.com")

    def logged(model, pk, text):
        return LogEntry.objects.create(
            user=admin.user, content_type=ContentType.objects.get_for_model(model),
            object_id=str(pk), object_repr=text, action_flag=CHANGE,
        )  # fmt: skip

    about = logged(Lead, lead.pk, "Ada <ada@x.com>")
    # The admin log names objects by type and id: these are not the person.
    another_lead = logged(Lead, other.pk, "Grace <grace@x.com>")
    same_id = logged(Campaign, lead.pk, "Spring fair")
    erase(lead, admin)
    record = StageTransition.all_tenants.get(lead=lead, action="erase")
    assert record.note == (
        "Personal data erased on request. Rewritten: admin log: 1, events: 1, notes: 1."
    )
    assert (record.actor_id, record.actor_label) == (admin.user.pk, admin.label)
    reprs = dict(LogEntry.objects.values_list("pk", "object_repr"))
    assert reprs == {
        about.pk: f"erased-{lead.pk}@erased.invalid",
        another_lead.pk: "Grace <grace@x.com>",
        same_id.pk: "Spring fair",
    }


def test_an_erasure_is_audited_by_the_leads_id_only(tenant, admin):
    lead = LeadFactory(tenant=tenant, email="ada@x.com", first_name="Ada")
    erase(lead, admin)
    entry = AuditEntry.all_tenants.get(action="lead.erased")
    assert (entry.tenant_id, entry.actor_id, entry.actor_role) == (
        tenant.pk, admin.user.pk, "admin",
    )  # fmt: skip
    assert (entry.target_type, entry.target_id, entry.target_label) == (
        "lead", str(lead.pk), f"lead #{lead.pk}",
    )  # fmt: skip
    assert entry.changes == {"personal_data": "erased"}


def test_erasure_rewrites_only_the_personal_fields_of_the_row(tenant, admin):
    """The instance the caller holds may be older than the row: the erasure writes the
    personal fields, not the stage someone else wrote meanwhile."""
    lead = LeadFactory(tenant=tenant, email="ada@x.com", first_name="Ada", stage="lead")
    Lead.all_tenants.filter(pk=lead.pk).update(stage="mql")
    erase(lead, admin)
    row = Lead.all_tenants.get(pk=lead.pk)
    assert row.stage == "mql"
    assert (row.email, row.first_name, row.erased_at) == (
        f"erased-{lead.pk}@erased.invalid", "", lead.erased_at,
    )  # fmt: skip


def test_erasing_an_erased_lead_again_writes_nothing(tenant, admin):
    lead = LeadFactory(tenant=tenant, email="ada@x.com")
    first = erase(lead, admin)
    erased_at = first.erased_at
    again = erase(Lead.all_tenants.get(pk=lead.pk), admin)
    assert again.erased_at == erased_at
    assert StageTransition.all_tenants.filter(lead=lead, action="erase").count() == 1
    assert AuditEntry.all_tenants.filter(action="lead.erased").count() == 1


def test_a_manager_is_told_only_admins_erase(tenant, member):
    lead = LeadFactory(tenant=tenant, email="ada@x.com")
    manager = Actor.member(member(tenant, Role.MANAGER), Role.MANAGER)
    with pytest.raises(NotAllowed, match=r"^Only admins erase leads\.$"):
        erase(lead, manager)
    assert Lead.all_tenants.get(pk=lead.pk).email == "ada@x.com"


def test_other_apps_hear_of_the_erasure_with_the_lead_and_its_redaction(tenant, admin, monkeypatch):
    lead = LeadFactory(tenant=tenant, email="ada@x.com", first_name="Ada")
    heard = []

    def listen(*, tenant, items, **context):
        heard.append((tenant, items, context))

    monkeypatch.setitem(events._handlers, "lead.erased", [listen])
    erase(lead, admin)
    [(to_tenant, items, context)] = heard
    assert (to_tenant, items) == (tenant.pk, [{"id": lead.pk}])
    assert context["lead"] is lead and context["actor"] == admin
    assert context["redaction"].email == "ada@x.com"


def test_the_erasure_record_is_one_instant_with_the_erasure_and_keeps_the_stage(
    tenant, admin, monkeypatch
):
    ticks = iter(range(1, 1000))
    start = timezone.now()
    monkeypatch.setattr(timezone, "now", lambda: start + timedelta(microseconds=next(ticks)))
    lead = LeadFactory(tenant=tenant, email="ada@x.com", stage="sql")
    erase(lead, admin)
    record = StageTransition.all_tenants.get(lead=lead, action="erase")
    assert record.at == Lead.all_tenants.get(pk=lead.pk).erased_at
    assert (record.from_stage, record.to_stage) == ("sql", "sql")
