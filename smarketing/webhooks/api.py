"""Webhook endpoints and their delivery log: parse, call a service or selector, render."""

from datetime import timedelta

from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from smarketing.api.viewsets import TenantViewSet
from smarketing.events import PUBLIC_EVENT_TYPES
from smarketing.tenancy.actors import Actor
from smarketing.webhooks import selectors, services
from smarketing.webhooks.models import WebhookDelivery, WebhookEndpoint


class WebhookEndpointSerializer(serializers.ModelSerializer):
    events = serializers.ListField(child=serializers.ChoiceField(PUBLIC_EVENT_TYPES))
    rotation_ends_at = serializers.DateTimeField(
        source="previous_secret_expires_at",
        allow_null=True,
        help_text="Until then the previous secret signs too.",
    )

    class Meta:
        model = WebhookEndpoint
        fields = [
            "id",
            "url",
            "events",
            "enabled",
            "disabled_reason",
            "rotation_ends_at",
            "created_at",
        ]
        read_only_fields = fields


class WebhookEndpointSecretSerializer(WebhookEndpointSerializer):
    secret = serializers.CharField(help_text="Shown this once: keep it to verify signatures.")

    class Meta(WebhookEndpointSerializer.Meta):
        fields = [*WebhookEndpointSerializer.Meta.fields, "secret"]
        read_only_fields = fields


class WebhookEndpointWriteSerializer(serializers.Serializer):
    url = serializers.URLField(max_length=500, help_text="https:// outside development.")
    events = serializers.ListField(
        child=serializers.ChoiceField(PUBLIC_EVENT_TYPES), min_length=1, max_length=20
    )
    enabled = serializers.BooleanField(default=True)


class WebhookEndpointPatchSerializer(WebhookEndpointWriteSerializer):
    url = serializers.URLField(max_length=500, required=False)
    events = serializers.ListField(
        child=serializers.ChoiceField(PUBLIC_EVENT_TYPES),
        min_length=1,
        max_length=20,
        required=False,
    )
    enabled = serializers.BooleanField(required=False)


class RotateSecretSerializer(serializers.Serializer):
    overlap_hours = serializers.IntegerField(
        min_value=0,
        max_value=168,
        default=24,
        help_text="How long the previous secret keeps signing (0 ends it now).",
    )


class WebhookDeliverySerializer(serializers.ModelSerializer):
    event_id = serializers.UUIDField()

    class Meta:
        model = WebhookDelivery
        fields = [
            "id",
            "event_id",
            "event_type",
            "status",
            "attempts",
            "response_status",
            "response_excerpt",
            "last_attempt_at",
            "next_attempt_at",
            "created_at",
        ]
        read_only_fields = fields


DELIVERY_ID = OpenApiParameter("delivery_id", int, OpenApiParameter.PATH)


class WebhookEndpointViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    """Webhook endpoints of the tenant (admins): signed POSTs of the subscribed events."""

    queryset = WebhookEndpoint.all_tenants.none()
    serializer_class = WebhookEndpointSerializer
    capabilities = dict.fromkeys(
        (
            "list",
            "retrieve",
            "create",
            "partial_update",
            "destroy",
            "rotate_secret",
            "deliveries",
            "redeliver",
        ),
        "webhooks.manage",
    )

    def get_queryset(self):
        return selectors.endpoint_list()

    @extend_schema(
        request=WebhookEndpointWriteSerializer, responses={201: WebhookEndpointSecretSerializer}
    )
    def create(self, request):
        """Register an endpoint; the answer carries its `secret` this once."""
        body = WebhookEndpointWriteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        endpoint = services.endpoint_create(
            tenant=request.tenant, actor=Actor.from_request(request), **body.validated_data
        )
        return Response(WebhookEndpointSecretSerializer(endpoint).data, status=201)

    @extend_schema(request=WebhookEndpointPatchSerializer, responses=WebhookEndpointSerializer)
    def partial_update(self, request, pk=None):
        endpoint = self.get_object()
        body = WebhookEndpointPatchSerializer(data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        services.endpoint_update(
            endpoint=endpoint, actor=Actor.from_request(request), data=body.validated_data
        )
        return Response(WebhookEndpointSerializer(endpoint).data)

    @extend_schema(responses={204: None})
    def destroy(self, request, pk=None):
        services.endpoint_delete(endpoint=self.get_object(), actor=Actor.from_request(request))
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=RotateSecretSerializer, responses=WebhookEndpointSecretSerializer)
    @action(detail=True, methods=["post"], url_path="rotate-secret")
    def rotate_secret(self, request, pk=None):
        """A new secret, shown this once; the previous one keeps signing for the overlap."""
        endpoint = self.get_object()
        body = RotateSecretSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        endpoint = services.endpoint_rotate_secret(
            endpoint=endpoint,
            actor=Actor.from_request(request),
            overlap=timedelta(hours=body.validated_data["overlap_hours"]),
        )
        return Response(WebhookEndpointSecretSerializer(endpoint).data)

    @extend_schema(responses=WebhookDeliverySerializer(many=True))
    @action(detail=True, methods=["get"])
    def deliveries(self, request, pk=None):
        """The delivery log of the endpoint, newest first."""
        deliveries = selectors.endpoint_deliveries(endpoint=self.get_object())
        page = self.paginate_queryset(deliveries)
        return self.get_paginated_response(WebhookDeliverySerializer(page, many=True).data)

    @extend_schema(
        request=None, responses={202: WebhookDeliverySerializer}, parameters=[DELIVERY_ID]
    )
    @action(detail=True, methods=["post"], url_path=r"deliveries/(?P<delivery_id>[0-9]+)/redeliver")
    def redeliver(self, request, pk=None, delivery_id=None):
        """Send the event to the endpoint again now (and retry it as a new delivery would)."""
        endpoint = self.get_object()
        delivery = selectors.endpoint_deliveries(endpoint=endpoint).filter(pk=delivery_id).first()
        if delivery is None:
            raise Http404("No such delivery.")
        delivery.endpoint = endpoint
        delivery = services.delivery_redeliver(delivery=delivery, actor=Actor.from_request(request))
        return Response(WebhookDeliverySerializer(delivery).data, status=status.HTTP_202_ACCEPTED)
