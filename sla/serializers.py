"""Shapes of the SLA on the wire. Input is parsed here; the rules across fields live in
`sla.services.versions`."""

from __future__ import annotations

from decimal import Decimal
from zoneinfo import ZoneInfo

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from sla.models import SIGN_SIDES, Obligation, ShortfallStatus, ShortfallTerm, SlaVersion
from sla.models.versions import NOTIFY_CHOICES
from sla.payloads import shortfall_payload
from sla.terms import COLD_STAGES, MAX_COLD_DAYS, clean_calendar, clean_cold_after_days


class PersonSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    email = serializers.EmailField()


def _person(user) -> dict | None:
    return {"id": user.pk, "email": user.email} if user is not None else None


@extend_schema_field({"type": "object", "description": "timezone, holiday_country, "
                      "closed_days, working_hours {mon..sun: [[HH:MM, HH:MM], ...]}"})  # fmt: skip
class CalendarField(serializers.JSONField):
    def to_internal_value(self, data):
        try:
            return clean_calendar(data)
        except ValueError as exc:
            raise serializers.ValidationError(str(exc)) from None


@extend_schema_field(
    {
        "type": "object",
        "properties": {stage: {"type": "integer", "minimum": 1, "maximum": MAX_COLD_DAYS}
                       for stage in COLD_STAGES},
        "additionalProperties": False,
        "description": "Days without activity after which a lead at an open stage is cold.",
    }
)  # fmt: skip
class ColdAfterDaysField(serializers.JSONField):
    def to_internal_value(self, data):
        try:
            return clean_cold_after_days(data)
        except ValueError as exc:
            raise serializers.ValidationError(str(exc)) from None


def _hours(**kwargs) -> serializers.DecimalField:
    return serializers.DecimalField(
        max_digits=7,
        decimal_places=2,
        min_value=Decimal("0.01"),
        max_value=Decimal("99999.99"),  # what 7 digits with 2 places hold
        coerce_to_string=False,
        **kwargs,
    )


def _share(**kwargs) -> serializers.DecimalField:
    """A share from 0 to 1, e.g. 0.2 for 20%."""
    return serializers.DecimalField(max_digits=4, decimal_places=3, min_value=0, max_value=1,
                                    coerce_to_string=False, **kwargs)  # fmt: skip


def _score(**kwargs) -> serializers.IntegerField:
    return serializers.IntegerField(min_value=0, max_value=100, allow_null=True, **kwargs)


class SlaVersionWriteSerializer(serializers.Serializer):
    """The terms of a version (contract.md). Omitted terms take defaults on create."""

    name = serializers.CharField(max_length=200)
    accept_within_hours = _hours(required=False)
    first_touch_within_hours = _hours(required=False)
    hot_score = _score(required=False)
    hot_accept_within_hours = _hours(required=False, allow_null=True)
    hot_first_touch_within_hours = _hours(required=False, allow_null=True)
    mql_threshold = _score(required=False)
    sql_threshold = _score(required=False)
    monthly_mql_target = serializers.IntegerField(min_value=0, required=False)
    monthly_sql_target = serializers.IntegerField(min_value=0, required=False)
    min_acceptance_rate = serializers.DecimalField(
        max_digits=4, decimal_places=3, min_value=0, max_value=1, required=False,
        coerce_to_string=False,
    )  # fmt: skip
    pacing_tolerance = _share(required=False)
    pacing_min_elapsed = _share(required=False)
    acceptance_min_decided = serializers.IntegerField(min_value=1, max_value=100000, required=False)
    cold_after_days = ColdAfterDaysField(required=False)
    auto_recycle_cold = serializers.BooleanField(required=False)
    reroute_on_breach = serializers.BooleanField(required=False)
    notify_on_breach = serializers.ListField(
        child=serializers.ChoiceField(choices=NOTIFY_CHOICES), required=False, allow_empty=True
    )
    review_every_months = serializers.IntegerField(min_value=1, max_value=36, required=False)
    calendar = CalendarField(required=False)

    def to_internal_value(self, data):
        if isinstance(data, dict):
            unknown = sorted(set(data) - set(self.fields))
            if unknown:
                raise serializers.ValidationError({name: ["Unknown field."] for name in unknown})
        clean = super().to_internal_value(data)
        if "notify_on_breach" in clean:
            clean["notify_on_breach"] = sorted(set(clean["notify_on_breach"]))
        return clean


class SignSerializer(serializers.Serializer):
    side = serializers.ChoiceField(choices=SIGN_SIDES)


class SlaVersionSerializer(serializers.ModelSerializer):
    accept_within_hours = _hours()
    first_touch_within_hours = _hours()
    hot_accept_within_hours = _hours(allow_null=True)
    hot_first_touch_within_hours = _hours(allow_null=True)
    min_acceptance_rate = serializers.DecimalField(
        max_digits=4, decimal_places=3, coerce_to_string=False
    )
    pacing_tolerance = _share()
    pacing_min_elapsed = _share()
    signatures = serializers.SerializerMethodField()
    created_by = PersonSerializer(allow_null=True)
    activated_by = PersonSerializer(allow_null=True)

    class Meta:
        model = SlaVersion
        fields = [
            "id", "number", "name", "status", "accept_within_hours", "first_touch_within_hours",
            "hot_score", "hot_accept_within_hours", "hot_first_touch_within_hours",
            "mql_threshold", "sql_threshold", "monthly_mql_target", "monthly_sql_target",
            "min_acceptance_rate", "pacing_tolerance", "pacing_min_elapsed",
            "acceptance_min_decided", "cold_after_days", "auto_recycle_cold", "reroute_on_breach",
            "notify_on_breach", "review_every_months", "review_on", "calendar", "signatures",
            "created_by", "created_at", "updated_at", "activated_by", "activated_at",
            "retired_at",
        ]  # fmt: skip
        read_only_fields = fields

    @extend_schema_field(
        {"type": "object", "properties": {side: {"type": "object", "nullable": True}
                                          for side in SIGN_SIDES}}
    )  # fmt: skip
    def get_signatures(self, version: SlaVersion) -> dict:
        signatures = {}
        for side in SIGN_SIDES:
            signer = getattr(version, f"{side}_signed_by")
            at = getattr(version, f"{side}_signed_at")
            signatures[side] = {"by": _person(signer), "at": at} if at else None
        return signatures


class ObligationSerializer(serializers.ModelSerializer):
    owner = PersonSerializer(allow_null=True)
    lead = serializers.IntegerField(source="lead_id")
    version = serializers.IntegerField(source="version_id")
    within_hours = _hours()
    timezone = serializers.SerializerMethodField()
    opened_at = serializers.SerializerMethodField()
    due_at = serializers.SerializerMethodField()
    met_at = serializers.SerializerMethodField()
    breached_at = serializers.SerializerMethodField()

    class Meta:
        model = Obligation
        fields = [
            "id", "lead", "kind", "status", "opened_at", "due_at", "met_at", "breached_at",
            "response_business_hours", "owner", "version", "within_hours", "is_hot", "timezone",
        ]  # fmt: skip
        read_only_fields = fields

    def get_timezone(self, obligation: Obligation) -> str:
        return obligation.version.calendar.get("timezone") or "UTC"

    def _local(self, obligation: Obligation, name: str) -> str | None:
        value = getattr(obligation, name)
        if value is None:
            return None
        return value.astimezone(ZoneInfo(self.get_timezone(obligation))).isoformat()

    @extend_schema_field(serializers.DateTimeField())
    def get_opened_at(self, obligation: Obligation) -> str | None:
        return self._local(obligation, "opened_at")

    @extend_schema_field(serializers.DateTimeField())
    def get_due_at(self, obligation: Obligation) -> str | None:
        return self._local(obligation, "due_at")

    @extend_schema_field(serializers.DateTimeField(allow_null=True))
    def get_met_at(self, obligation: Obligation) -> str | None:
        return self._local(obligation, "met_at")

    @extend_schema_field(serializers.DateTimeField(allow_null=True))
    def get_breached_at(self, obligation: Obligation) -> str | None:
        return self._local(obligation, "breached_at")


class ShortfallSerializer(serializers.Serializer):
    """A shortfall of marketing's commitments (the shape its events carry, without
    `notify`)."""

    id = serializers.IntegerField()
    version = serializers.IntegerField(help_text="The SLA version that judged it")
    version_number = serializers.IntegerField()
    version_name = serializers.CharField()
    period = serializers.CharField(help_text="YYYY-MM, a month of the tenant's calendar")
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    timezone = serializers.CharField()
    term = serializers.ChoiceField(choices=ShortfallTerm.choices)
    status = serializers.ChoiceField(choices=ShortfallStatus.choices)
    target = serializers.FloatField(help_text="Monthly volume, or the minimum rate (0-1)")
    actual = serializers.FloatField()
    expected = serializers.FloatField(
        allow_null=True, help_text="What the pace asked for by then (at_risk only)"
    )
    decided = serializers.IntegerField(
        allow_null=True, help_text="Hand-offs sales decided (acceptance_rate only)"
    )
    elapsed_share = serializers.FloatField(
        allow_null=True, help_text="Share of the month's business time passed (at_risk only)"
    )
    recorded_at = serializers.DateTimeField()

    def to_representation(self, instance):
        # Months are the tenant's: the view passes its timezone (`tz_name`).
        payload = shortfall_payload(instance, tz_name=self.context["tz_name"])
        return super().to_representation(payload)
