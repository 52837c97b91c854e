from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from smarketing.tenancy.selectors import tenant_by_slug
from smarketing.tenancy.services import api_key_create


class Command(BaseCommand):
    help = (
        "Issue an API key. A user key acts as that user with the user's role; an integration "
        "key may only upsert leads and events and read. The key is printed once, on the last line."
    )

    def add_arguments(self, parser):
        parser.add_argument("--tenant", required=True)
        owner = parser.add_mutually_exclusive_group(required=True)
        owner.add_argument("--user", metavar="EMAIL")
        owner.add_argument("--integration", action="store_true")
        parser.add_argument("--name")

    def handle(self, *args, tenant, user, integration, name, **options):
        found = tenant_by_slug(slug=tenant)
        if found is None:
            raise CommandError(f"No tenant with slug {tenant!r}.")
        owner = None
        if user:
            owner = get_user_model().objects.filter(email__iexact=user).first()
            if owner is None:
                raise CommandError(f"No user {user!r}.")
        name = name or (f"{owner.email} key" if owner else "integration")
        try:
            issued = api_key_create(tenant=found, name=name, user=owner)
        except ValidationError as exc:
            # api_key_create refuses with one message, so the separator is never seen.
            raise CommandError("; ".join(exc.messages)) from exc  # pragma: no mutate
        kind = "user" if owner else "integration"
        self.stderr.write(
            f"Created {kind} key {issued.api_key.prefix!r} for {found.slug}. "
            "It is stored hashed and will not be shown again."
        )
        self.stdout.write(issued.raw_key)
