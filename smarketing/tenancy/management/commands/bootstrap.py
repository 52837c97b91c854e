from django.core.management import call_command
from django.core.management.base import BaseCommand

from smarketing.db import planner_statistics_refresh
from smarketing.tenancy.models import Tenant
from smarketing.tenancy.roles import Role
from smarketing.tenancy.services import member_add, tenant_create

DEMO_SLUG = "acme"
DEMO_EMAIL = "admin@acme.example"
DEMO_PASSWORD = "smarketing-demo"


class Command(BaseCommand):
    help = "On an empty database, create a first tenant and its admin; print how to log in."

    def add_arguments(self, parser):
        parser.add_argument("--no-demo", action="store_true", help="Skip the demo data.")
        parser.add_argument(
            "--url", default="http://127.0.0.1:8000", help="Where the server listens (printed)."
        )

    def handle(self, *args, no_demo, url, **options):
        if not Tenant.objects.exists():
            tenant = tenant_create(
                slug=DEMO_SLUG, name="Acme Robotics", timezone_name="Europe/Rome", country="IT"
            )
            member_add(tenant=tenant, email=DEMO_EMAIL, role=Role.ADMIN, password=DEMO_PASSWORD)
            if not no_demo and "seed_demo" in _commands():
                call_command("seed_demo", tenant=DEMO_SLUG)
        planner_statistics_refresh()
        self.stdout.write(
            f"\nSmarketing is starting on {url}\n"
            f"Log in at {url}/accounts/login/ as {DEMO_EMAIL} "
            f"with password {DEMO_PASSWORD!r}\n"
        )


def _commands() -> set[str]:
    from django.core.management import get_commands

    return set(get_commands())
