from django.contrib import admin

from sla.models import (
    Breach,
    FunnelRollup,
    Obligation,
    ObligationMonthRollup,
    ObligationRollup,
    RollupState,
    SlaVersion,
    TenantCalendar,
)
from smarketing.tenancy.admin import CrossTenantAdmin


class RecordAdmin(CrossTenantAdmin):
    """Rows written by the services and sweeps only: shown, never added or changed here."""

    def has_add_permission(self, request):
        return False

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]


@admin.register(TenantCalendar)
class TenantCalendarAdmin(CrossTenantAdmin):
    list_display = ["tenant", "name", "is_default", "updated_at"]
    list_filter = ["tenant"]


@admin.register(SlaVersion)
class SlaVersionAdmin(RecordAdmin):
    """Versions change through the API and its rules (drafts only, sign-offs), not here."""

    list_display = ["tenant", "number", "name", "status", "activated_at", "review_on"]
    list_filter = ["status", "tenant"]


@admin.register(Obligation)
class ObligationAdmin(RecordAdmin):
    list_display = ["lead", "kind", "status", "owner", "opened_at", "due_at", "met_at"]
    list_filter = ["status", "kind", "tenant"]


@admin.register(Breach)
class BreachAdmin(RecordAdmin):
    list_display = ["lead", "kind", "owner", "due_at", "breached_at", "rerouted_to"]
    list_filter = ["kind", "tenant"]


@admin.register(ObligationRollup)
class ObligationRollupAdmin(RecordAdmin):
    """Derived rows: rebuilt by the rollup task, so never edited by hand."""

    list_display = ["tenant", "day", "kind", "owner", "opened", "met_on_time", "breached"]
    list_filter = ["kind", "tenant"]


@admin.register(ObligationMonthRollup)
class ObligationMonthRollupAdmin(RecordAdmin):
    """Derived rows: each month is rebuilt from its days, so never edited by hand."""

    list_display = ["tenant", "month", "kind", "owner", "opened", "met_on_time", "breached"]
    list_filter = ["kind", "tenant"]


@admin.register(FunnelRollup)
class FunnelRollupAdmin(RecordAdmin):
    list_display = ["tenant", "day", "mqls", "sql_handoffs", "accepted", "rejected"]
    list_filter = ["tenant"]


@admin.register(RollupState)
class RollupStateAdmin(RecordAdmin):
    list_display = ["tenant", "timezone", "fresh_until", "built_at"]
