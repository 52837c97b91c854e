"""Shapes of personas and scoring on the wire. Input is cleaned by `personas.input` and the
services (one place for the rules); the input serializers here describe it for the schema."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from leads.models import EventType
from personas.input import MAX_CRITERIA, MAX_ITEM_LENGTH, MAX_LIST_ITEMS
from personas.models import ApprovalSide, RescoreJob
from personas.scoring import OPERATORS, STANDARD_FIELDS
from personas.scoring.criteria import CUSTOM_PREFIX
from personas.services.settings import LIMITS, MAX_EVENT_WEIGHT
from smarketing.api.serializers import StrictSerializer


class UserRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    email = serializers.EmailField()


def _user(user) -> dict | None:
    return {"id": user.pk, "email": user.email} if user is not None else None


# A standard field, or `custom.` and a key that is not blank.
CRITERION_FIELD_PATTERN = (
    rf"^({'|'.join(STANDARD_FIELDS)}|{CUSTOM_PREFIX.replace('.', '[.]')}.*[A-Za-z0-9_].*)$"
)


@extend_schema_field({"type": "string", "pattern": CRITERION_FIELD_PATTERN})
class CriterionFieldName(serializers.CharField):
    pass


class CriterionSerializer(serializers.Serializer):
    field = CriterionFieldName(help_text="industry, company_size, country, title, company, "
                                         "or custom.<key>")  # fmt: skip
    operator = serializers.ChoiceField(choices=OPERATORS)
    value = serializers.JSONField(help_text="A value; a list for in/not_in/contains_any; "
                                            "[low, high] for range (null: open)")  # fmt: skip
    weight = serializers.IntegerField(min_value=1, max_value=100)


def _texts() -> serializers.ListField:
    """As `personas.input` takes a list of texts: bounded, blank entries dropped."""
    return serializers.ListField(
        child=serializers.CharField(allow_blank=True, max_length=MAX_ITEM_LENGTH),
        max_length=MAX_LIST_ITEMS,
        required=False,
        help_text="Blank entries are dropped.",
    )


class PersonaWriteSerializer(serializers.Serializer):
    """Persona content; on PATCH every field is optional. Unknown fields are a 400."""

    name = serializers.CharField(max_length=200)
    summary = serializers.CharField(required=False, allow_blank=True)
    pains = _texts()
    goals = _texts()
    objections = _texts()
    preferred_channels = _texts()
    typical_titles = _texts()
    criteria = serializers.ListField(
        child=CriterionSerializer(), required=False, max_length=MAX_CRITERIA
    )


class ApproveSerializer(StrictSerializer):
    side = serializers.ChoiceField(
        choices=ApprovalSide.choices,
        required=False,
        help_text="Marketers approve for marketing and sales reps for sales; managers and "
        "admins choose.",
    )
    version = serializers.IntegerField(
        required=False, help_text="The version you reviewed; 409 if it is no longer current."
    )


class CommentWriteSerializer(StrictSerializer):
    body = serializers.CharField()
    version = serializers.IntegerField(
        required=False, min_value=1, help_text="Default: the current version"
    )


class ApprovalSerializer(serializers.Serializer):
    side = serializers.CharField()
    user = UserRefSerializer(allow_null=True)
    role = serializers.CharField()
    at = serializers.DateTimeField()

    def to_representation(self, approval):
        return super().to_representation(
            {"side": approval.side, "user": _user(approval.user), "role": approval.role,
             "at": approval.created_at}
        )  # fmt: skip


class VersionSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    status = serializers.CharField()
    name = serializers.CharField()
    summary = serializers.CharField()
    pains = serializers.ListField(child=serializers.CharField())
    goals = serializers.ListField(child=serializers.CharField())
    objections = serializers.ListField(child=serializers.CharField())
    preferred_channels = serializers.ListField(child=serializers.CharField())
    typical_titles = serializers.ListField(child=serializers.CharField())
    criteria = CriterionSerializer(many=True)
    approvals = ApprovalSerializer(many=True, source="approvals.all")
    created_by = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()
    approved_at = serializers.DateTimeField(allow_null=True)

    def get_created_by(self, version) -> str | None:
        return version.created_by.email if version.created_by_id else None


class RejectionReasonCountSerializer(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()
    count = serializers.IntegerField()


class PerformanceSerializer(serializers.Serializer):
    leads = serializers.IntegerField()
    mqls = serializers.IntegerField()
    sqls = serializers.IntegerField()
    accepted = serializers.IntegerField()
    rejected = serializers.IntegerField(help_text="Rejections by sales (cold recycles apart)")
    opportunities = serializers.IntegerField()
    won = serializers.IntegerField()
    mql_to_sql_rate = serializers.FloatField(allow_null=True)
    acceptance_rate = serializers.FloatField(allow_null=True)
    sql_to_opportunity_rate = serializers.FloatField(allow_null=True)
    won_revenue = serializers.DecimalField(max_digits=16, decimal_places=2)
    rejection_reasons = RejectionReasonCountSerializer(many=True)


class PersonaSerializer(serializers.Serializer):
    """A persona as its current version says, with the version that scores leads."""

    id = serializers.IntegerField()
    version = serializers.IntegerField(help_text="The current (latest) version")
    status = serializers.CharField(help_text="Status of the current version")
    approved_version = serializers.IntegerField(
        allow_null=True, help_text="The version that scores leads, if any"
    )
    missing_approvals = serializers.ListField(child=serializers.CharField())
    name = serializers.CharField()
    summary = serializers.CharField()
    pains = serializers.ListField(child=serializers.CharField())
    goals = serializers.ListField(child=serializers.CharField())
    objections = serializers.ListField(child=serializers.CharField())
    preferred_channels = serializers.ListField(child=serializers.CharField())
    typical_titles = serializers.ListField(child=serializers.CharField())
    criteria = CriterionSerializer(many=True)
    approvals = ApprovalSerializer(many=True)
    performance = PerformanceSerializer(allow_null=True)
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()

    def to_representation(self, view):
        current = view.current
        approvals = list(current.approvals.all())
        sides = {approval.side for approval in approvals}
        performance = self.context.get("performance", {}).get(view.id)
        data = {
            "id": view.id,
            "version": current.number,
            "status": current.status,
            "approved_version": view.approved.number if view.approved else None,
            "missing_approvals": [side for side in ApprovalSide.values if side not in sides]
            if current.status == "draft"
            else [],
            **{name: getattr(current, name) for name in (
                "name", "summary", "pains", "goals", "objections", "preferred_channels",
                "typical_titles", "criteria")},
            "approvals": approvals,
            "performance": performance,
            "created_at": view.persona.created_at,
            "updated_at": view.persona.updated_at,
        }  # fmt: skip
        return super().to_representation(data)


class CommentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    version = serializers.IntegerField(source="version.number")
    author = serializers.SerializerMethodField()
    role = serializers.CharField()
    body = serializers.CharField()
    created_at = serializers.DateTimeField()

    def get_author(self, comment) -> dict | None:
        return _user(comment.author)


def _bounded(name: str, **kwargs) -> serializers.FloatField:
    """The bounds `clean_scoring_settings` enforces, published in the schema."""
    low, high = LIMITS[name]
    return serializers.FloatField(min_value=low, max_value=high, **kwargs)


class ScoringSettingsSerializer(serializers.Serializer):
    engagement_weights = serializers.DictField(
        child=serializers.FloatField(min_value=0.0, max_value=MAX_EVENT_WEIGHT),
        help_text=f"Points of a fresh event, by event type ({', '.join(EventType.values)})",
    )
    half_life_days = _bounded("half_life_days", help_text="Days after which an event counts half")
    saturation = _bounded("saturation", help_text="Points that make an engagement score of 63")
    fit_weight = _bounded("fit_weight")
    engagement_weight = _bounded("engagement_weight")
    updated_at = serializers.DateTimeField(read_only=True, allow_null=True)
    updated_by = serializers.EmailField(read_only=True, allow_null=True)


class RescoreJobSerializer(serializers.ModelSerializer):
    percent = serializers.IntegerField(read_only=True)

    class Meta:
        model = RescoreJob
        fields = ["id", "status", "reason", "recompute_engagement", "total", "done", "changed",
                  "percent", "error", "created_at", "started_at", "finished_at"]  # fmt: skip
        read_only_fields = fields


class ScoringSettingsResultSerializer(ScoringSettingsSerializer):
    rescore_job = RescoreJobSerializer(allow_null=True, read_only=True)
