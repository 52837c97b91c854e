from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from smarketing.tenancy.roles import Role
from smarketing.tenancy.selectors import tenant_by_slug
from smarketing.tenancy.services import member_add


class Command(BaseCommand):
    help = "Create a user (or take an existing one) and give it a role in a tenant."

    def add_arguments(self, parser):
        parser.add_argument("email")
        parser.add_argument("--tenant", required=True)
        parser.add_argument("--role", required=True, choices=Role.values)
        parser.add_argument("--password")

    def handle(self, *args, email, tenant, role, password, **options):
        found = tenant_by_slug(slug=tenant)
        if found is None:
            raise CommandError(f"No tenant with slug {tenant!r}.")
        try:
            membership = member_add(tenant=found, email=email, role=role, password=password)
        except ValidationError as exc:
            # member_add refuses with one message, so the separator is never seen.
            raise CommandError("; ".join(exc.messages)) from exc  # pragma: no mutate
        self.stdout.write(membership.user.email)
