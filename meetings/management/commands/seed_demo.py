from django.core.management.base import BaseCommand

from meetings.demo import seed_demo


class Command(BaseCommand):
    help = (
        "Fill a tenant with a realistic demo: people of every role, personas, campaigns, an "
        "active SLA, leads in every stage with events, breaches and a meeting."
    )

    def add_arguments(self, parser):
        parser.add_argument("--tenant", default="acme")
        parser.add_argument("--leads", type=int, default=300)

    def handle(self, *args, tenant, leads, **options):
        result = seed_demo(slug=tenant, leads=leads, say=self.stdout.write)
        self.stdout.write(f"\nLog in at /accounts/login/ with password {result['password']!r} as:")
        for name, email in result["logins"].items():
            self.stdout.write(f"  {email}  ({name.split('.')[-1]})")
