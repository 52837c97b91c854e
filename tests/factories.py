"""Factories of the cross-cutting core; each app keeps its own next to its tests."""

import factory
from factory.django import DjangoModelFactory

from smarketing.accounts.models import User
from smarketing.tenancy.models import ApiKey, Membership, Tenant
from smarketing.tenancy.roles import Role
from smarketing.tenancy.scope import cross_tenant_scope
from smarketing.tenancy.services import api_key_create, tenant_create


class TenantScopedFactory(DjangoModelFactory):
    """Creates rows through `all_tenants`: arranging a test is cross-tenant by nature."""

    class Meta:
        abstract = True

    @classmethod
    def _get_manager(cls, model_class):
        return model_class.all_tenants

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        # Row-level security checks every insert on PostgreSQL: the row is written as an
        # operator would, and the scope ends with the insert, so the code under test still
        # starts from the deployed connection defaults.
        with cross_tenant_scope():
            return super()._create(model_class, *args, **kwargs)


class TenantFactory(DjangoModelFactory):
    """Tenants are made by the real service, so every app's defaults come with them."""

    class Meta:
        model = Tenant

    slug = factory.Sequence(lambda n: f"tenant-{n}")
    name = factory.LazyAttribute(lambda o: o.slug.replace("-", " ").title())
    timezone = "Europe/Rome"
    country = "IT"

    @classmethod
    def _create(cls, model_class, *, slug, name, timezone, country, **kwargs):
        existing = Tenant.objects.filter(slug=slug).first()
        if existing:
            return existing
        return tenant_create(slug=slug, name=name, timezone_name=timezone, country=country)


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.com")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    password = factory.PostGenerationMethodCall("set_password", "correct-horse-battery")

    @factory.post_generation
    def _save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save(update_fields=["password"])


class MembershipFactory(TenantScopedFactory):
    class Meta:
        model = Membership

    tenant = factory.SubFactory(TenantFactory)
    user = factory.SubFactory(UserFactory)
    role = Role.MARKETER


class ApiKeyFactory(TenantScopedFactory):
    class Meta:
        model = ApiKey

    tenant = factory.SubFactory(TenantFactory)
    name = factory.Sequence(lambda n: f"key {n}")
    prefix = factory.Sequence(lambda n: f"{n:012x}")
    hashed_key = "0" * 64

    @staticmethod
    def issue(*, tenant, user=None, name=None):
        return api_key_create(
            tenant=tenant, user=user, name=name or f"key-{ApiKey.all_tenants.count() + 1}"
        )
