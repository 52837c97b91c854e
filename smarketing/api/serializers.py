"""Serializer bases shared by every app's API."""

from rest_framework import serializers


class RejectUnknownFields:
    """Unknown fields are a 400, never silently dropped: a client sending a field that is
    not written learns so, and the schema can say `additionalProperties: false`."""

    def to_internal_value(self, data):
        unknown = sorted(set(data) - set(self.fields)) if isinstance(data, dict) else []
        value = super().to_internal_value(data)
        if unknown:
            raise serializers.ValidationError({name: ["Unknown field."] for name in unknown})
        return value


class StrictSerializer(RejectUnknownFields, serializers.Serializer):
    pass
