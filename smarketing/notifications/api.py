"""The caller's notifications: list (unread first), mark one or all read."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import mixins, serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from smarketing.api.pagination import CursorPagination
from smarketing.api.viewsets import TenantViewSet
from smarketing.notifications import selectors, services
from smarketing.notifications.models import Notification


class NotificationSerializer(serializers.ModelSerializer):
    event_id = serializers.UUIDField(read_only=True)

    class Meta:
        model = Notification
        fields = ["id", "kind", "title", "body", "url", "event_id", "created_at", "read_at"]
        read_only_fields = fields


class UnreadFirstPagination(CursorPagination):
    ordering = "-position"


class NotificationViewSet(mixins.ListModelMixin, TenantViewSet):
    """Notifications of the person the credentials act as, unread first, newest first."""

    queryset = Notification.all_tenants.none()
    serializer_class = NotificationSerializer
    pagination_class = UnreadFirstPagination
    capabilities = {"read": "read", "read_all": "read"}

    def get_queryset(self):
        user = self.request.user
        if getattr(user, "pk", None) is None:  # an integration key is nobody
            return selectors.notifications_for(user=None).none()
        return selectors.notifications_for(user=user)

    @extend_schema(request=None, responses=NotificationSerializer)
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        notification = self.get_object()
        services.notification_mark_read(notification=notification, user=request.user)
        return Response(NotificationSerializer(notification).data)

    @extend_schema(
        request=None, responses=inline_serializer("ReadAll", {"marked": serializers.IntegerField()})
    )
    @action(detail=False, methods=["post"], url_path="read-all")
    def read_all(self, request):
        if getattr(request.user, "pk", None) is None:
            return Response({"marked": 0})
        return Response({"marked": services.notifications_mark_all_read(user=request.user)})
