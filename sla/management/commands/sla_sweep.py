import json

from django.core.management.base import BaseCommand, CommandError

from sla import services
from smarketing.tenancy.selectors import tenant_by_slug


class Command(BaseCommand):
    help = (
        "Run one SLA sweep now (breaches, warnings, escalations, cold flags, marketing's "
        "shortfalls); print counts."
    )

    def add_arguments(self, parser):
        parser.add_argument("--tenant", metavar="SLUG", help="Sweep this tenant only.")

    def handle(self, *args, tenant=None, **options):
        tenant_id = None
        if tenant:
            found = tenant_by_slug(slug=tenant)
            if found is None:
                raise CommandError(f"No tenant with slug {tenant!r}.")
            tenant_id = found.pk
        counts = services.sla_sweep(tenant_id=tenant_id).as_dict()
        counts.update(services.cold_leads_sweep(tenant_id=tenant_id).as_dict())
        counts.update(services.marketing_shortfalls_sweep(tenant_id=tenant_id).as_dict())
        self.stdout.write(json.dumps(counts))
