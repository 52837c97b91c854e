"""Factories of routing (leads.routing). Each takes `tenant`; related rows follow it."""

import factory

from leads.routing.models import RoutingRule, RoutingSettings, Team, TeamMember
from tests.factories import MembershipFactory, TenantFactory, TenantScopedFactory


class RoutingSettingsFactory(TenantScopedFactory):
    class Meta:
        model = RoutingSettings
        django_get_or_create = ("tenant",)

    tenant = factory.SubFactory(TenantFactory)
    mode = "round_robin"


class TeamFactory(TenantScopedFactory):
    class Meta:
        model = Team

    tenant = factory.SubFactory(TenantFactory)
    name = factory.Sequence(lambda n: f"Team {n}")


class TeamMemberFactory(TenantScopedFactory):
    class Meta:
        model = TeamMember

    tenant = factory.SubFactory(TenantFactory)
    team = factory.SubFactory(TeamFactory, tenant=factory.SelfAttribute("..tenant"))
    user = factory.LazyAttribute(
        lambda o: MembershipFactory(tenant=o.tenant, role="sales_rep").user
    )


class RoutingRuleFactory(TenantScopedFactory):
    class Meta:
        model = RoutingRule

    tenant = factory.SubFactory(TenantFactory)
    field = "country"
    values = factory.LazyFunction(lambda: ["IT"])
    team = factory.SubFactory(TeamFactory, tenant=factory.SelfAttribute("..tenant"))
