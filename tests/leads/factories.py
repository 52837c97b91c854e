from datetime import timedelta

import factory
from django.utils import timezone

from leads.imports.models import LeadImport
from leads.merging.models import LeadMerge
from leads.models import Campaign, Lead, LeadEvent, RejectionReason, StageTransition
from leads.saved_views.models import SavedView
from leads.webforms.models import WebForm
from tests.factories import TenantFactory, TenantScopedFactory, UserFactory


class CampaignFactory(TenantScopedFactory):
    class Meta:
        model = Campaign

    tenant = factory.SubFactory(TenantFactory)
    name = factory.Sequence(lambda n: f"Campaign {n}")
    channel = "webinar"
    cost = 1000


class LeadFactory(TenantScopedFactory):
    class Meta:
        model = Lead

    tenant = factory.SubFactory(TenantFactory)
    email = factory.Sequence(lambda n: f"lead{n}@prospect.example")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    company = factory.Faker("company")
    stage_changed_at = factory.LazyFunction(timezone.now)


class LeadEventFactory(TenantScopedFactory):
    class Meta:
        model = LeadEvent

    lead = factory.SubFactory(LeadFactory)
    tenant = factory.LazyAttribute(lambda o: o.lead.tenant)
    type = "page_view"
    occurred_at = factory.LazyFunction(timezone.now)


class StageTransitionFactory(TenantScopedFactory):
    class Meta:
        model = StageTransition

    lead = factory.SubFactory(LeadFactory)
    tenant = factory.LazyAttribute(lambda o: o.lead.tenant)
    action = "move"
    from_stage = "lead"
    to_stage = "mql"
    at = factory.LazyFunction(timezone.now)


class RejectionReasonFactory(TenantScopedFactory):
    class Meta:
        model = RejectionReason

    tenant = factory.SubFactory(TenantFactory)
    code = factory.Sequence(lambda n: f"reason_{n}")
    label = factory.Sequence(lambda n: f"Reason {n}")


class LeadImportFactory(TenantScopedFactory):
    """An import row; the file name points nowhere (tests of processing upload a real file)."""

    class Meta:
        model = LeadImport

    tenant = factory.SubFactory(TenantFactory)
    file = "imports/0/factory/leads.csv"
    original_filename = "leads.csv"
    status = "done"


class WebFormFactory(TenantScopedFactory):
    class Meta:
        model = WebForm

    tenant = factory.SubFactory(TenantFactory)
    name = factory.Sequence(lambda n: f"Form {n}")
    fields = factory.LazyFunction(lambda: ["email", "first_name", "last_name", "company"])
    required = factory.LazyFunction(lambda: ["email"])


class LeadMergeFactory(TenantScopedFactory):
    """A merge row on its own (tests of the merge itself go through the service)."""

    class Meta:
        model = LeadMerge

    tenant = factory.SubFactory(TenantFactory)
    survivor = factory.SubFactory(LeadFactory, tenant=factory.SelfAttribute("..tenant"))
    other = factory.SubFactory(LeadFactory, tenant=factory.SelfAttribute("..tenant"))
    at = factory.LazyFunction(timezone.now)
    undo_until = factory.LazyFunction(lambda: timezone.now() + timedelta(days=30))


class SavedViewFactory(TenantScopedFactory):
    class Meta:
        model = SavedView

    tenant = factory.SubFactory(TenantFactory)
    owner = factory.SubFactory(UserFactory)
    name = factory.Sequence(lambda n: f"View {n}")
    query = "stage=mql"
    columns = ["score", "owner"]
