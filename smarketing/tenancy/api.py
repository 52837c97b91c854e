from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response

from smarketing.api.viewsets import TenantAPIView


class MeView(TenantAPIView):
    """Who the credentials act as: the tenant and the role (useful to check a new API key)."""

    @extend_schema(
        responses=inline_serializer(
            "Me",
            {
                "tenant": serializers.CharField(),
                "role": serializers.CharField(),
                "email": serializers.CharField(allow_null=True),
            },
        )
    )
    def get(self, request):
        user = request.user
        return Response(
            {
                "tenant": request.tenant.slug,
                "role": request.role,
                "email": getattr(user, "email", None) if getattr(user, "pk", None) else None,
            }
        )
