"""Daily compliance rollups: what the compliance report reads instead of the raw tables.

A day is a date in the tenant's SLA calendar timezone (`RollupState.timezone`). Rows of a day
are only ever replaced whole (delete + insert of that day, in one transaction, under the
tenant's `RollupState` row lock), so re-running a rollup changes nothing twice.
"""

from django.conf import settings
from django.db import models
from django.db.models.functions import Coalesce

from sla.models.obligations import ObligationKind
from smarketing.tenancy.models import TenantScoped


class ObligationTally(TenantScoped):
    """What a daily and a monthly obligation rollup both count, of one kind and one rep (null:
    nobody yet): `opened = met_on_time + breached + cancelled + pending`; `met_late` counts the
    breached ones that were answered after all."""

    kind = models.CharField(max_length=20, choices=ObligationKind.choices)
    # No database constraint: a rollup keeps the rep's id even if the account goes away.
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    opened = models.PositiveIntegerField(default=0)
    met_on_time = models.PositiveIntegerField(default=0)
    met_late = models.PositiveIntegerField(default=0)
    breached = models.PositiveIntegerField(default=0)
    cancelled = models.PositiveIntegerField(default=0)
    response_hours_sum = models.FloatField(default=0.0)

    class Meta(TenantScoped.Meta):
        abstract = True


class ObligationRollup(ObligationTally):
    """Obligations opened on one day, of one kind, answerable by one rep (null: nobody yet).

    `response_hundredths` holds every recorded response time of the group in hundredths of a
    business hour, sorted: medians and percentiles over any range are exact (to 0.01 h)
    because the raw values merge, where a histogram would only approximate them.
    """

    day = models.DateField()
    response_hundredths = models.JSONField(default=list, blank=True)

    class Meta(ObligationTally.Meta):
        constraints = [
            # Also the index of range reads: (tenant, day) lead it.
            models.UniqueConstraint(
                "tenant", "day", "kind", Coalesce("owner", 0), name="obligation_rollup_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.kind} rep {self.owner_id}: {self.opened} opened"


class FunnelRollup(TenantScoped):
    """Marketing's side of one day, from the stage history.

    MQLs and SQL hand-offs are moves into `mql` and `sql`; accepted and rejected are sales'
    answers recorded that day. Cold leads recycled by the system (`went_cold`) are no
    rejection by sales and are left out.
    """

    day = models.DateField()
    mqls = models.PositiveIntegerField(default=0)
    sql_handoffs = models.PositiveIntegerField(default=0)
    accepted = models.PositiveIntegerField(default=0)
    rejected = models.PositiveIntegerField(default=0)
    # {"<reason code>": count}
    rejected_by_reason = models.JSONField(default=dict, blank=True)

    class Meta(TenantScoped.Meta):
        constraints = [
            models.UniqueConstraint(fields=["tenant", "day"], name="funnel_rollup_unique_day")
        ]

    def __str__(self) -> str:
        return f"{self.day}: {self.mqls} MQLs, {self.sql_handoffs} SQLs"


class RollupState(TenantScoped):
    """How far a tenant's rollups go, and the lock that serialises writing them.

    Days before the local date of `fresh_until` are read from the rollups; later days are
    computed live. A changed timezone makes every stored day wrong, so it triggers a rebuild.
    """

    timezone = models.CharField(max_length=64)
    fresh_until = models.DateTimeField(null=True, blank=True)
    built_at = models.DateTimeField(null=True, blank=True)

    class Meta(TenantScoped.Meta):
        constraints = [
            models.UniqueConstraint(fields=["tenant"], name="rollup_state_one_per_tenant")
        ]

    def __str__(self) -> str:
        return f"rollups of {self.tenant_id} fresh until {self.fresh_until}"


class RollupDirtyDay(TenantScoped):
    """A UTC date on which some obligation opened and has changed since its day was rolled
    up (answered, breached, cancelled, reassigned late). UTC, so that marking needs no
    timezone on the hot paths; it maps to at most two local days."""

    day = models.DateField()

    class Meta(TenantScoped.Meta):
        constraints = [
            models.UniqueConstraint(fields=["tenant", "day"], name="rollup_dirty_unique_day")
        ]

    def __str__(self) -> str:
        return f"dirty {self.day} of {self.tenant_id}"


class ObligationMonthRollup(ObligationTally):
    """The level in front of the daily rows: one calendar month (local days, `month` is its
    first day) of `ObligationRollup`, per kind and rep, summed.

    Rebuilt from the month's daily rows whenever any of its days is written, in the same
    transaction, so it always equals the sum of its days. Response times are kept as counts
    per value, `[value, count, value, count, …]` in value order (hundredths of a business
    hour): a month of a rep has a few hundred distinct values where it has thousands of
    answers, and counts per value merge exactly, so medians over months stay exact.

    Each month and kind also has one `all_reps` row (owner null): the same sums over every
    rep. A report that needs no split by rep reads its response times from there, one row
    instead of forty.
    """

    month = models.DateField()
    all_reps = models.BooleanField(default=False)
    response_counts = models.JSONField(default=list, blank=True)

    class Meta(ObligationTally.Meta):
        constraints = [
            models.UniqueConstraint(
                "tenant", "month", "kind", Coalesce("owner", 0), "all_reps",
                name="obligation_month_rollup_unique",
            )
        ]  # fmt: skip

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.kind} rep {self.owner_id}: {self.opened} opened"
