"""The funnel's daily rollup: what a quarter's flow reads instead of its raw moves."""

from django.db import models

from smarketing.tenancy.models import TenantScoped


class FunnelDayRollup(TenantScoped):
    """One closed day of the tenant's calendar: the moves into each stage made that day
    (`counts`, stage -> n) and the step times they ended (`times`, stage -> the histogram of
    `leads.funnel.durations` as `[bucket, count, …]`). A day without a counted move has no
    row. Written only by `funnel_rollups_refresh`, from the same reader as the raw report."""

    day = models.DateField()
    counts = models.JSONField(default=dict)
    times = models.JSONField(default=dict)

    class Meta(TenantScoped.Meta):
        constraints = [
            models.UniqueConstraint(fields=["tenant", "day"], name="funnel_day_rollup_unique")
        ]

    def __str__(self) -> str:
        return f"funnel of {self.day}"


class FunnelRollupState(TenantScoped):
    """How far a tenant's funnel rollup goes, and the lock its writers take.

    Days up to `rolled_through` (in the calendar of `timezone`) are read from the rollup;
    later days from the raw history. A changed timezone makes every stored day wrong, so
    the rollup is then ignored until it is rebuilt."""

    timezone = models.CharField(max_length=64)
    rolled_through = models.DateField(null=True, blank=True)
    built_at = models.DateTimeField(null=True, blank=True)

    class Meta(TenantScoped.Meta):
        constraints = [
            models.UniqueConstraint(fields=["tenant"], name="funnel_rollup_state_one_per_tenant")
        ]

    def __str__(self) -> str:
        return f"funnel rollup of {self.tenant_id} through {self.rolled_through}"
