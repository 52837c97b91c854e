"""The subject access export on the wire: everything held about a lead's person."""

from rest_framework import serializers

from leads.api.serializers import LeadSerializer


class PersonalEventSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    type = serializers.CharField()
    occurred_at = serializers.DateTimeField()
    properties = serializers.JSONField()
    created_at = serializers.DateTimeField()


class PersonalTransitionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    action = serializers.CharField()
    from_stage = serializers.CharField()
    to_stage = serializers.CharField()
    actor = serializers.CharField(source="actor_label")
    reason_code = serializers.CharField()
    note = serializers.CharField()
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)
    at = serializers.DateTimeField()


class PersonalNoteSerializer(serializers.Serializer):
    transition = serializers.IntegerField(source="id")
    note = serializers.CharField()
    actor = serializers.CharField(source="actor_label")
    at = serializers.DateTimeField()


class PersonalNotificationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    recipient = serializers.IntegerField(source="user_id", help_text="The user notified.")
    kind = serializers.CharField()
    title = serializers.CharField()
    body = serializers.CharField()
    url = serializers.CharField()
    created_at = serializers.DateTimeField()


class PersonalWebhookEventSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    type = serializers.CharField(source="event_type")
    data = serializers.JSONField(help_text="The payload as webhooks send it.")
    created_at = serializers.DateTimeField()
    relayed_at = serializers.DateTimeField(allow_null=True)
    erased_at = serializers.DateTimeField(allow_null=True)


class ImportRowSerializer(serializers.Serializer):
    line = serializers.IntegerField()
    cells = serializers.DictField(child=serializers.CharField(), help_text="Header -> value.")


class PersonalImportSerializer(serializers.Serializer):
    import_id = serializers.IntegerField(source="import")
    original_filename = serializers.CharField()
    created_at = serializers.DateTimeField()
    rows = ImportRowSerializer(many=True, help_text="Rows of the uploaded file with the address.")
    failures = serializers.ListField(
        child=serializers.DictField(), help_text="Failed rows of the person: line, reason."
    )


class PersonalCampaignTouchSerializer(serializers.Serializer):
    campaign = serializers.IntegerField(source="campaign_id")
    campaign_name = serializers.CharField(source="campaign.name")
    source = serializers.CharField()
    at = serializers.DateTimeField()


class PersonalDataSerializer(serializers.Serializer):
    exported_at = serializers.DateTimeField()
    lead = LeadSerializer()
    custom_fields = serializers.JSONField()
    events = PersonalEventSerializer(many=True)
    transitions = PersonalTransitionSerializer(many=True)
    notes = PersonalNoteSerializer(many=True)
    notifications = PersonalNotificationSerializer(many=True)
    webhook_events = PersonalWebhookEventSerializer(many=True)
    import_rows = PersonalImportSerializer(many=True)
    campaign_history = PersonalCampaignTouchSerializer(
        many=True, help_text="Every campaign the person came through, oldest first"
    )
    consent = serializers.JSONField(
        allow_null=True, help_text="Consent records: none are kept, so always null."
    )
