import factory

from personas.models import (
    BuyerPersona,
    PersonaApproval,
    PersonaComment,
    PersonaVersion,
    RescoreJob,
    ScoringSettings,
)
from personas.scoring import EngagementConfig
from tests.factories import TenantFactory, TenantScopedFactory, UserFactory

MANUFACTURING_CRITERIA = [
    {"field": "industry", "operator": "in", "value": ["manufacturing", "logistics"], "weight": 40},
    {"field": "company_size", "operator": "range", "value": [50, 500], "weight": 30},
    {"field": "title", "operator": "contains_any", "value": ["operations", "coo"], "weight": 20},
    {"field": "country", "operator": "equals", "value": "IT", "weight": 10},
]


class BuyerPersonaFactory(TenantScopedFactory):
    """A persona with a first version (a draft unless `status` says otherwise)."""

    class Meta:
        model = BuyerPersona
        skip_postgeneration_save = True

    tenant = factory.SubFactory(TenantFactory)

    @factory.post_generation
    def version(obj, create, extracted, **kwargs):
        if create and extracted is not False:
            PersonaVersionFactory(persona=obj, number=1, **kwargs)


class PersonaVersionFactory(TenantScopedFactory):
    class Meta:
        model = PersonaVersion

    persona = factory.SubFactory(BuyerPersonaFactory, version=False)
    tenant = factory.LazyAttribute(lambda o: o.persona.tenant)
    number = factory.Sequence(lambda n: n + 1)
    name = factory.Sequence(lambda n: f"Persona {n}")
    summary = "Runs operations in a mid-size plant."
    pains = factory.LazyFunction(lambda: ["Downtime"])
    goals = factory.LazyFunction(lambda: ["Fewer stoppages"])
    criteria = factory.LazyFunction(lambda: [dict(c) for c in MANUFACTURING_CRITERIA])
    status = "draft"


class PersonaApprovalFactory(TenantScopedFactory):
    class Meta:
        model = PersonaApproval

    version = factory.SubFactory(PersonaVersionFactory)
    tenant = factory.LazyAttribute(lambda o: o.version.tenant)
    side = "marketing"
    user = factory.SubFactory(UserFactory)
    role = "marketer"


class PersonaCommentFactory(TenantScopedFactory):
    class Meta:
        model = PersonaComment

    version = factory.SubFactory(PersonaVersionFactory)
    tenant = factory.LazyAttribute(lambda o: o.version.tenant)
    author = factory.SubFactory(UserFactory)
    role = "marketer"
    body = "Should logistics be in?"


class ScoringSettingsFactory(TenantScopedFactory):
    class Meta:
        model = ScoringSettings
        django_get_or_create = ["tenant"]

    tenant = factory.SubFactory(TenantFactory)
    engagement_weights = factory.LazyFunction(lambda: dict(EngagementConfig.default().weights))
    half_life_days = 14.0
    saturation = 30.0
    fit_weight = 0.6
    engagement_weight = 0.4


class RescoreJobFactory(TenantScopedFactory):
    class Meta:
        model = RescoreJob

    tenant = factory.SubFactory(TenantFactory)
    reason = "Persona approved"
    status = "queued"
