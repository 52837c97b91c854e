"""On real PostgreSQL: drafting and activating take the tenant's lock first, so version numbers
stay gap-free and one version is activated at a time, whatever runs beside them."""

import pytest
from django.db import OperationalError

from sla.errors import SignNotAllowed
from sla.models import SlaStatus, SlaVersion
from sla.services.versions import sla_version_activate, sla_version_create, sla_version_sign
from smarketing.tenancy.actors import Actor
from smarketing.tenancy.models import Tenant
from smarketing.tenancy.roles import Role
from smarketing.tenancy.scope import tenant_scope
from tests.factories import UserFactory
from tests.row_locks import row_locked
from tests.sla.factories import SlaVersionFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def manager(tenant, member):
    return Actor.member(member(tenant, Role.MANAGER), Role.MANAGER)


def tenant_held_by_another_writer(tenant):
    # FOR NO KEY UPDATE: rows naming the tenant can still be inserted; only another
    # writer's lock on the tenant itself waits (and gives up after the timeout).
    return row_locked(Tenant, tenant.pk, lock_timeout="300ms", no_key=True)


def test_drafting_waits_for_the_tenant_another_writer_holds(tenant, manager):
    held, scope = tenant_held_by_another_writer(tenant), tenant_scope(tenant)
    with held, scope, pytest.raises(OperationalError, match="lock timeout"):
        sla_version_create(tenant=tenant, actor=manager, data={"name": "Waits"})
    assert not SlaVersion.all_tenants.filter(name="Waits").exists()


def test_activating_waits_for_the_tenant_another_writer_holds(tenant, manager):
    signer = UserFactory()
    draft = SlaVersionFactory(tenant=tenant, marketing_signed_by=signer, sales_signed_by=signer,
                              marketing_signed_at="2027-01-04T09:00Z",
                              sales_signed_at="2027-01-04T09:00Z")  # fmt: skip
    held, scope = tenant_held_by_another_writer(tenant), tenant_scope(tenant)
    with held, scope, pytest.raises(OperationalError, match="lock timeout"):
        sla_version_activate(version=draft, actor=manager)
    assert SlaVersion.all_tenants.get(pk=draft.pk).status == SlaStatus.DRAFT


def test_a_caller_who_may_not_sign_is_refused_without_waiting_for_a_busy_version(tenant, member):
    draft = SlaVersionFactory(tenant=tenant)
    marketer = Actor.member(member(tenant, Role.MARKETER), Role.MARKETER)
    held, scope = row_locked(SlaVersion, draft.pk, lock_timeout="300ms"), tenant_scope(tenant)
    with held, scope, pytest.raises(SignNotAllowed) as refused:
        sla_version_sign(version=draft, actor=marketer, side="sales")
    assert refused.value.detail == "Your role (marketer) may not sign for sales."
