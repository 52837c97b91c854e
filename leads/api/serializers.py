"""Shapes of leads on the wire. Input is cleaned by `leads.input` (one place for the rules);
the write serializers here describe it for the schema and hand it over."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from leads.countries import country_names
from leads.errors import InvalidLeadData
from leads.input import MAX_CUSTOM_FIELDS, MAX_CUSTOM_NAME, MAX_CUSTOM_VALUE, clean_lead
from leads.models import Campaign, EventType, Stage
from leads.services.activity import MAX_EVENTS
from leads.services.upsert import MAX_BULK_ITEMS
from smarketing.api.serializers import RejectUnknownFields, StrictSerializer


class OwnerSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    email = serializers.EmailField()


class LeadSerializer(serializers.Serializer):
    """A lead as every endpoint returns it. Declared field by field rather than derived from
    the model: it is rendered on every write, and deriving the fields costs more than the
    rest of the rendering."""

    id = serializers.IntegerField(read_only=True)
    email = serializers.EmailField(read_only=True)
    first_name = serializers.CharField(read_only=True)
    last_name = serializers.CharField(read_only=True)
    company = serializers.CharField(read_only=True)
    title = serializers.CharField(read_only=True)
    phone = serializers.CharField(read_only=True)
    industry = serializers.CharField(read_only=True)
    company_size = serializers.IntegerField(read_only=True, allow_null=True)
    country = serializers.CharField(read_only=True)
    campaign = serializers.IntegerField(source="campaign_id", read_only=True, allow_null=True)
    custom_fields = serializers.JSONField(read_only=True)
    stage = serializers.ChoiceField(choices=Stage.choices, read_only=True)
    owner = OwnerSerializer(allow_null=True, read_only=True)
    accepted_at = serializers.DateTimeField(read_only=True, allow_null=True)
    persona = serializers.IntegerField(source="persona_id", read_only=True, allow_null=True)
    score = serializers.IntegerField(read_only=True)
    fit_score = serializers.IntegerField(read_only=True)
    engagement_score = serializers.IntegerField(read_only=True)
    score_breakdown = serializers.JSONField(read_only=True)
    is_cold = serializers.BooleanField(read_only=True)
    last_activity_at = serializers.DateTimeField(read_only=True, allow_null=True)
    stage_changed_at = serializers.DateTimeField(read_only=True)
    created_at = serializers.DateTimeField(read_only=True)
    updated_at = serializers.DateTimeField(read_only=True)


@extend_schema_field(
    {
        "type": "object",
        "maxProperties": MAX_CUSTOM_FIELDS,
        "additionalProperties": {
            "anyOf": [
                {"type": "string", "maxLength": MAX_CUSTOM_VALUE, "nullable": True},
                {"type": "number"},
                {"type": "boolean"},
            ]
        },
        "description": f"Names (1 to {MAX_CUSTOM_NAME} characters) to texts, numbers, booleans "
        "or null.",
    }
)
class CustomFieldsField(serializers.DictField):
    pass


@extend_schema_field(
    {
        # A text, and one of the codes or blank: `type` outside the alternatives keeps null
        # a type error, which the API refuses (`smarketing.api.request_schema`).
        "type": "string",
        "anyOf": [{"enum": sorted(country_names())}, {"maxLength": 0}],
        "description": "ISO 3166 alpha-2, upper case (blank: none).",
    }
)
class CountryField(serializers.CharField):
    pass


class LeadWriteSerializer(serializers.Serializer):
    """Writable lead fields. Anything else in the body (stage, owner, scores…) is a 400."""

    email = serializers.EmailField(max_length=254)
    first_name = serializers.CharField(max_length=100, required=False, allow_blank=True)
    last_name = serializers.CharField(max_length=100, required=False, allow_blank=True)
    company = serializers.CharField(max_length=200, required=False, allow_blank=True)
    title = serializers.CharField(max_length=200, required=False, allow_blank=True)
    phone = serializers.CharField(max_length=50, required=False, allow_blank=True)
    industry = serializers.CharField(max_length=100, required=False, allow_blank=True)
    company_size = serializers.IntegerField(min_value=0, required=False, allow_null=True)
    country = CountryField(max_length=2, required=False, allow_blank=True)
    campaign = serializers.IntegerField(required=False, allow_null=True, min_value=1)
    custom_fields = CustomFieldsField(required=False)

    partial_input = False

    def to_internal_value(self, data):
        clean, errors = clean_lead(data, partial=self.partial_input or self.partial)
        if errors:
            raise InvalidLeadData(errors)
        return clean


class LeadPatchSerializer(LeadWriteSerializer):
    email = serializers.EmailField(max_length=254, required=False)
    partial_input = True


def per_item_list(what: str, maximum: int) -> serializers.ListField:
    """A list whose items are checked one by one and answered in `results`: the schema
    promises only objects, since a bad item is an answer of its own, not a 400."""
    return serializers.ListField(
        child=serializers.DictField(),
        max_length=maximum,
        help_text=f"Up to {maximum:,} {what}; a bad item is reported in its result and sinks "
        "no other.",
    )


class BulkLeadsSerializer(serializers.Serializer):
    items = per_item_list("leads, each as `POST /api/v1/leads/` takes it", MAX_BULK_ITEMS)


class BulkItemResultSerializer(serializers.Serializer):
    index = serializers.IntegerField()
    status = serializers.ChoiceField(choices=["created", "updated", "unchanged", "error"])
    id = serializers.IntegerField(required=False)
    email = serializers.EmailField(required=False)
    errors = serializers.DictField(child=serializers.ListField(child=serializers.CharField()),
                                   required=False)  # fmt: skip


class BulkResultSerializer(serializers.Serializer):
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    failed = serializers.IntegerField()
    results = BulkItemResultSerializer(many=True)


class TransitionSerializer(StrictSerializer):
    to = serializers.ChoiceField(choices=Stage.choices)
    reason_code = serializers.CharField(max_length=50, required=False, allow_blank=True)
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    amount = serializers.DecimalField(
        max_digits=14, decimal_places=2, required=False, allow_null=True, min_value=0,
        help_text="The deal's value: required to win an opportunity; optional when an SQL "
        "becomes an opportunity, where it counts as pipeline created.",
    )  # fmt: skip


class RejectSerializer(StrictSerializer):
    reason_code = serializers.CharField(max_length=50)
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True)


class AssignSerializer(StrictSerializer):
    owner = serializers.EmailField(help_text="E-mail of a sales rep or manager of this tenant.")
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True)


class TouchSerializer(StrictSerializer):
    type = serializers.ChoiceField(choices=[EventType.CALL, EventType.EMAIL, EventType.MEETING])
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    occurred_at = serializers.DateTimeField(
        required=False,
        help_text="When it happened (default now): since the lead's acceptance, at most 7 days "
        "ago and at most 5 minutes ahead.",
    )


class HistoryEntrySerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["transition", "event"])
    id = serializers.IntegerField()
    at = serializers.DateTimeField()
    actor = serializers.CharField(allow_null=True)
    action = serializers.CharField(required=False)
    to = serializers.CharField(required=False)
    reason_code = serializers.CharField(required=False)
    note = serializers.CharField(required=False)
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, required=False,
                                      allow_null=True)  # fmt: skip
    type = serializers.CharField(required=False)
    properties = serializers.DictField(required=False)


EVENTS_BODY = {
    "type": "array",
    "maxItems": MAX_EVENTS,
    "items": {
        "type": "object",
        "description": 'An event: {"lead_id" or "email", "type", "occurred_at", "properties"}; '
        f"type is one of {', '.join(EventType.values)} (call, email and meeting are sales "
        "touches: only people log them, not integration keys); occurred_at at most 5 minutes "
        "ahead, engagement up to 365 days back, sales touches up to 7 days back and not "
        "before the lead's acceptance.",
    },
    "description": f"Up to {MAX_EVENTS:,} events; a bad event is reported in its result and "
    "sinks no other.",
}


class EventResultSerializer(serializers.Serializer):
    index = serializers.IntegerField()
    status = serializers.ChoiceField(choices=["recorded", "error"])
    id = serializers.IntegerField(required=False)
    lead_id = serializers.IntegerField(required=False)
    errors = serializers.DictField(required=False)


class EventsResultSerializer(serializers.Serializer):
    recorded = serializers.IntegerField()
    failed = serializers.IntegerField()
    results = EventResultSerializer(many=True)


class CampaignSerializer(RejectUnknownFields, serializers.ModelSerializer):
    stats = serializers.SerializerMethodField()
    owner = serializers.IntegerField(
        source="owner_id", allow_null=True, required=False, min_value=1,
        help_text="User id of the marketer answerable for it (told of its rejected leads)",
    )  # fmt: skip

    class Meta:
        model = Campaign
        fields = [
            "id",
            "name",
            "slug",
            "channel",
            "cost",
            "starts_on",
            "ends_on",
            "owner",
            "created_at",
            "stats",
        ]
        read_only_fields = ["id", "created_at", "stats"]
        extra_kwargs = {
            "cost": {
                "min_value": 0,
                "error_messages": {"min_value": "The cost cannot be negative."},
            }
        }

    def get_stats(self, campaign) -> dict:
        return self.context.get("stats", {}).get(campaign.pk, {})
