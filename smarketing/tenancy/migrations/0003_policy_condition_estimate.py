"""Tenant policies as a CASE: the planner's estimate of them no longer shrinks with the number
of tenants (see `smarketing.tenancy.rls.POLICY_CONDITION`). No rows change visibility.

It alters every `tenant_isolation` policy that exists when it runs; on a fresh database the
tables of later migrations are created with the new condition already.
"""

from django.db import migrations

from smarketing.tenancy.rls import ReplacePolicyCondition


class Migration(migrations.Migration):
    dependencies = [
        ("tenancy", "0002_team_audit_invitations"),
    ]

    operations = [ReplacePolicyCondition()]
