from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from smarketing.tenancy.services import tenant_create


class Command(BaseCommand):
    help = "Create a tenant with a default business calendar and a default SLA draft."

    def add_arguments(self, parser):
        parser.add_argument("slug")
        parser.add_argument("--name", required=True)
        parser.add_argument("--timezone", default="UTC")
        parser.add_argument("--country", default="", help="ISO 3166 alpha-2, for public holidays")

    def handle(self, *args, slug, name, timezone, country, **options):
        try:
            tenant = tenant_create(slug=slug, name=name, timezone_name=timezone, country=country)
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        self.stdout.write(tenant.slug)
