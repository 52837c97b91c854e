"""Shapes of meetings on the wire. Input serializers parse types and refuse unknown fields;
the rules (members only, a sane period) live in `meetings.services`."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from meetings.models import ActionItemStatus, AgendaKind, Cadence, MeetingKind, MeetingStatus
from meetings.schedule import zone_names
from meetings.services.checks import DAY_PATTERN
from meetings.services.series import MAX_DURATION_MINUTES


def _user(user) -> dict | None:
    return {"id": user.pk, "email": user.email} if user is not None else None


class PersonRefSerializer(serializers.Serializer):
    """A member as meetings show one: attendee, owner, who decided."""

    id = serializers.IntegerField()
    email = serializers.EmailField()


@extend_schema_field(
    {"type": "string", "pattern": r"^([01][0-9]|2[0-3]):[0-5][0-9]$", "example": "10:00"}
)
class ClockTimeField(serializers.TimeField):
    """A wall-clock time as `HH:MM`, read and written (a series meets on the minute)."""

    def __init__(self, **kwargs):
        super().__init__(format="%H:%M", input_formats=["%H:%M"], **kwargs)


@extend_schema_field({"type": "string", "enum": sorted(zone_names())})
class ZoneNameField(serializers.CharField):
    """An IANA timezone name, as the zone database of the server knows them."""


@extend_schema_field({"type": "string", "format": "date", "pattern": DAY_PATTERN})
class MeetingDayField(serializers.DateField):
    """A day a meeting may fall on or cover (`meetings.services.checks`)."""


@extend_schema_field({"type": "string", "format": "date-time", "pattern": DAY_PATTERN})
class MeetingTimeField(serializers.DateTimeField):
    """An instant on a day a meeting may fall on."""


class StrictSerializer(serializers.Serializer):
    """Unknown fields are a 400, never silently dropped (a client sending `figures` or
    `done_at` learns they are not written)."""

    def validate(self, attrs):
        unknown = sorted(set(self.initial_data) - set(self.fields))
        if unknown:
            raise serializers.ValidationError(
                {name: ["Unknown or read-only field."] for name in unknown}
            )
        return attrs


# --- input ---------------------------------------------------------------------------------


class MeetingWriteSerializer(StrictSerializer):
    title = serializers.CharField(max_length=200)
    scheduled_at = MeetingTimeField()
    period_start = MeetingDayField(
        required=False, help_text="First day the numbers cover (default: 7 days before)."
    )
    period_end = MeetingDayField(required=False, help_text="Last day, inclusive.")
    notes = serializers.CharField(required=False, allow_blank=True, max_length=20000)
    attendees = serializers.ListField(
        child=serializers.EmailField(), required=False, max_length=100,
        help_text="E-mails of members of the tenant.",
    )  # fmt: skip


class MeetingPatchSerializer(MeetingWriteSerializer):
    title = serializers.CharField(max_length=200, required=False)
    scheduled_at = MeetingTimeField(required=False)
    status = serializers.ChoiceField(
        choices=[MeetingStatus.PLANNED, MeetingStatus.HELD], required=False,
        help_text="Planned or held; `POST .../close/` closes a meeting.",
    )  # fmt: skip


class SeriesWriteSerializer(StrictSerializer):
    name = serializers.CharField(max_length=200)
    cadence = serializers.ChoiceField(choices=Cadence.choices)
    weekday = serializers.IntegerField(min_value=0, max_value=6, help_text="0 = Monday.")
    time = ClockTimeField(help_text="HH:MM, local time in `timezone`.")
    duration_minutes = serializers.IntegerField(
        min_value=1, max_value=MAX_DURATION_MINUTES,
        error_messages={"min_value": "The meeting would end before it starts: give a positive "
                                     "number of minutes.",
                        "max_value": f"At most {MAX_DURATION_MINUTES} minutes."},
    )  # fmt: skip
    timezone = ZoneNameField(max_length=64, help_text="An IANA zone, e.g. Europe/Rome.")
    attendees = serializers.ListField(
        child=serializers.EmailField(), required=False, max_length=100,
        help_text="E-mails of members of the tenant.",
    )  # fmt: skip


class SeriesPatchSerializer(SeriesWriteSerializer):
    active = serializers.BooleanField(
        required=False, help_text="false stops the series: the meetings to come are cancelled."
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.required = False


class DecisionWriteSerializer(StrictSerializer):
    text = serializers.CharField(max_length=5000)


class ActionItemWriteSerializer(StrictSerializer):
    title = serializers.CharField(max_length=300)
    owner = serializers.EmailField(help_text="E-mail of a member of the tenant.")
    due_on = MeetingDayField()


class ActionItemPatchSerializer(StrictSerializer):
    title = serializers.CharField(max_length=300, required=False)
    owner = serializers.EmailField(required=False)
    due_on = MeetingDayField(required=False)
    status = serializers.ChoiceField(choices=ActionItemStatus.choices, required=False)


# --- output --------------------------------------------------------------------------------


class DecisionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    text = serializers.CharField()
    decided_by = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()

    @extend_schema_field(PersonRefSerializer(allow_null=True))
    def get_decided_by(self, decision) -> dict | None:
        return _user(decision.decided_by)


class ActionItemSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    meeting = serializers.IntegerField(source="meeting_id")
    title = serializers.CharField()
    owner = serializers.SerializerMethodField()
    due_on = serializers.DateField()
    status = serializers.ChoiceField(choices=ActionItemStatus.choices)
    done_at = serializers.DateTimeField(allow_null=True)
    due_notified_at = serializers.DateTimeField(
        allow_null=True, help_text="When `meeting.action_item_due` announced it."
    )
    created_at = serializers.DateTimeField()

    @extend_schema_field(PersonRefSerializer(allow_null=True))
    def get_owner(self, item) -> dict | None:
        return _user(item.owner)


class MeetingSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    scheduled_at = serializers.DateTimeField()
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    status = serializers.ChoiceField(choices=MeetingStatus.choices)
    kind = serializers.ChoiceField(choices=MeetingKind.choices)
    duration_minutes = serializers.IntegerField()
    timezone = serializers.CharField(source="zone_name")
    series = serializers.IntegerField(source="series_id", allow_null=True)
    sequence = serializers.IntegerField(help_text="The iCalendar SEQUENCE of its invitation.")
    closed_at = serializers.DateTimeField(allow_null=True)
    sla_version = serializers.IntegerField(source="sla_version_id", allow_null=True)
    proposed_sla_version = serializers.IntegerField(
        source="proposed_sla_version_id", allow_null=True
    )
    notes = serializers.CharField()
    attendees = serializers.SerializerMethodField()
    created_by = serializers.SerializerMethodField()
    agenda_generated_at = serializers.DateTimeField(allow_null=True)
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()

    @extend_schema_field(PersonRefSerializer(many=True))
    def get_attendees(self, meeting) -> list[dict]:
        return [_user(attendee.user) for attendee in meeting.attendance.all()]

    @extend_schema_field(PersonRefSerializer(allow_null=True))
    def get_created_by(self, meeting) -> dict | None:
        return _user(meeting.created_by)


class MeetingDetailSerializer(MeetingSerializer):
    decisions = serializers.SerializerMethodField()
    action_items = serializers.SerializerMethodField()

    @extend_schema_field(DecisionSerializer(many=True))
    def get_decisions(self, meeting) -> list[dict]:
        return DecisionSerializer(self.context["decisions"], many=True).data

    @extend_schema_field(ActionItemSerializer(many=True))
    def get_action_items(self, meeting) -> list[dict]:
        return ActionItemSerializer(self.context["action_items"], many=True).data


class AgendaItemSerializer(serializers.Serializer):
    position = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=AgendaKind.choices)
    title = serializers.CharField()
    body = serializers.CharField()
    figures = serializers.DictField(help_text="The numbers behind the title; keys by kind.")


class AgendaSerializer(serializers.Serializer):
    meeting = serializers.IntegerField()
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    generated_at = serializers.DateTimeField()
    items = AgendaItemSerializer(many=True)


class SeriesMeetingSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    scheduled_at = serializers.DateTimeField()
    status = serializers.ChoiceField(choices=MeetingStatus.choices)


class SeriesSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    cadence = serializers.ChoiceField(choices=Cadence.choices)
    weekday = serializers.IntegerField()
    time = ClockTimeField()
    duration_minutes = serializers.IntegerField()
    timezone = serializers.CharField()
    attendees = serializers.SerializerMethodField()
    active = serializers.BooleanField()
    next_meeting = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()

    @extend_schema_field(serializers.ListField(child=serializers.EmailField()))
    def get_attendees(self, series) -> list[str]:
        return [attendee.user.email for attendee in series.attendance.all()]

    @extend_schema_field(SeriesMeetingSerializer(allow_null=True))
    def get_next_meeting(self, series) -> dict | None:
        upcoming = getattr(series, "upcoming", None)
        if not upcoming:
            return None
        return SeriesMeetingSerializer(upcoming[0]).data


class SlaTermDiffSerializer(serializers.Serializer):
    label = serializers.CharField()
    before = serializers.CharField()
    after = serializers.CharField()


class SlaProposalSerializer(serializers.Serializer):
    meeting = serializers.IntegerField()
    version = serializers.IntegerField(help_text="The draft SLA version's id.")
    number = serializers.IntegerField()
    name = serializers.CharField()
    status = serializers.CharField()
    changes = SlaTermDiffSerializer(
        many=True, help_text="Terms that differ from the version in force."
    )
