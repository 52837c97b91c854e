"""Routing settings of a tenant: the mode, capacities, teams and the rules that pick a pool.

Teams live in leads, not in tenancy: they exist to route SQLs and to group reps in sales
reports, both of which read leads; the tenancy core stays about who belongs to a tenant.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Lower

from smarketing.tenancy.models import TenantScoped


class RoutingMode(models.TextChoices):
    PULL = "pull", "Pull: reps take SQLs from the queue"
    ROUND_ROBIN = "round_robin", "Round-robin among available reps"
    CAPACITY = "capacity", "Weighted by free capacity"


class RoutingSettings(TenantScoped):
    """One row per tenant (created on first change; absent means pull with the defaults)."""

    mode = models.CharField(max_length=20, choices=RoutingMode.choices, default=RoutingMode.PULL)
    # Capacity: how many open SQLs (routed or accepted) and opportunities a rep may hold.
    default_capacity = models.PositiveSmallIntegerField(
        default=20, validators=[MinValueValidator(1), MaxValueValidator(1000)]
    )
    # Per-rep overrides, {"<user id>": n}.
    capacities = models.JSONField(default=dict, blank=True)
    # Round-robin cursor of the tenant-wide pool: the rep who got the last SQL.
    last_routed_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta(TenantScoped.Meta):
        constraints = [
            models.UniqueConstraint(fields=["tenant"], name="routing_settings_one_per_tenant")
        ]

    def __str__(self) -> str:
        return f"routing of {self.tenant_id}: {self.mode}"

    def capacity_of(self, user_id: int) -> int:
        value = (self.capacities or {}).get(str(user_id))
        return int(value) if isinstance(value, int) and value > 0 else self.default_capacity


class Team(TenantScoped):
    name = models.CharField(max_length=100)
    # Round-robin cursor within the team.
    last_routed_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta(TenantScoped.Meta):
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint("tenant", Lower("name"), name="team_unique_name_per_tenant")
        ]

    def __str__(self) -> str:
        return self.name


class TeamMember(TenantScoped):
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")

    class Meta(TenantScoped.Meta):
        constraints = [
            models.UniqueConstraint(fields=["tenant", "team", "user"], name="team_member_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} in {self.team_id}"


class RuleField(models.TextChoices):
    COUNTRY = "country", "Territory (country)"
    INDUSTRY = "industry", "Industry"
    PERSONA = "persona", "Persona"


class RoutingRule(TenantScoped):
    """If the lead's `field` is one of `values`, the SQL goes to `team` or to `rep`.

    Rules are tried by `position`; the first that matches and has someone available wins.
    """

    position = models.PositiveSmallIntegerField(default=0)
    field = models.CharField(max_length=20, choices=RuleField.choices)
    # Countries (ISO alpha-2, upper case), industries (lower case) or persona ids (as text).
    values = models.JSONField(default=list)
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.CASCADE, related_name="rules"
    )
    rep = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    is_active = models.BooleanField(default=True)

    class Meta(TenantScoped.Meta):
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(team__isnull=True, rep__isnull=False)
                | models.Q(team__isnull=False, rep__isnull=True),
                name="routing_rule_one_target",
            )
        ]

    def __str__(self) -> str:
        return f"{self.field} in {self.values} → {self.team_id or self.rep_id}"
