from django.contrib import admin

from personas.models import (
    BuyerPersona,
    PersonaApproval,
    PersonaComment,
    PersonaVersion,
    RescoreJob,
    ScoringSettings,
)
from smarketing.tenancy.admin import CrossTenantAdmin


class VersionInline(admin.TabularInline):
    model = PersonaVersion
    fields = ["number", "name", "status", "approved_at", "created_by"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True


@admin.register(BuyerPersona)
class BuyerPersonaAdmin(CrossTenantAdmin):
    list_display = ["id", "tenant", "created_by", "created_at", "updated_at"]
    list_filter = ["tenant"]
    inlines = [VersionInline]


@admin.register(PersonaVersion)
class PersonaVersionAdmin(CrossTenantAdmin):
    list_display = ["name", "persona", "number", "status", "tenant", "approved_at"]
    list_filter = ["status", "tenant"]
    search_fields = ["name"]


@admin.register(PersonaApproval)
class PersonaApprovalAdmin(CrossTenantAdmin):
    list_display = ["version", "side", "user", "role", "created_at"]
    list_filter = ["side"]


@admin.register(PersonaComment)
class PersonaCommentAdmin(CrossTenantAdmin):
    list_display = ["version", "author", "role", "created_at"]


@admin.register(ScoringSettings)
class ScoringSettingsAdmin(CrossTenantAdmin):
    list_display = ["tenant", "half_life_days", "fit_weight", "engagement_weight", "updated_at"]


@admin.register(RescoreJob)
class RescoreJobAdmin(CrossTenantAdmin):
    list_display = ["id", "tenant", "status", "done", "total", "reason", "created_at"]
    list_filter = ["status"]
    readonly_fields = ["last_lead_id", "started_at", "finished_at"]
