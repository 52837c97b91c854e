"""Members and rejection reasons: parse, call a service or selector, render."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers
from rest_framework.response import Response

from leads.models import RejectionReason
from leads.team import selectors, services
from smarketing.api.pagination import CursorPagination
from smarketing.api.viewsets import TenantViewSet
from smarketing.errors import InvalidInput
from smarketing.tenancy.actors import Actor
from smarketing.tenancy.models import Membership
from smarketing.tenancy.roles import Role


class MemberSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    email = serializers.EmailField(source="membership.user.email")
    name = serializers.CharField(source="membership.user.get_full_name")
    role = serializers.CharField(source="membership.role")
    is_active = serializers.BooleanField(source="membership.is_active")
    away = serializers.BooleanField(source="membership.is_away")
    capacity = serializers.IntegerField(help_text="Open SQLs and opportunities they may hold.")
    capacity_is_default = serializers.BooleanField()
    last_login = serializers.DateTimeField(allow_null=True)
    joined_at = serializers.DateTimeField(source="membership.created_at")


class MemberPatchSerializer(serializers.Serializer):
    role = serializers.ChoiceField(Role.choices, required=False, help_text="Admins only.")
    is_active = serializers.BooleanField(
        required=False, help_text="false deactivates: sessions end, API keys answer 401."
    )
    away = serializers.BooleanField(required=False, help_text="Managers and admins.")
    capacity = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=1000,
        help_text="null: the tenant's default.",
    )  # fmt: skip


class MemberPagination(CursorPagination):
    ordering = "id"  # oldest members first, a stable order for the cursor


class MemberViewSet(mixins.ListModelMixin, TenantViewSet):
    """The tenant's members (managers and admins see them; admins change roles and
    deactivate, managers set away and capacity)."""

    queryset = Membership.all_tenants.none()
    serializer_class = MemberSerializer
    capabilities = {"list": "members.availability", "partial_update": "members.availability"}

    def get_queryset(self):
        return Membership.objects.select_related("user").order_by("-is_active", "user__email")

    pagination_class = MemberPagination

    def list(self, request):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        rows = selectors.member_rows(tenant=request.tenant, ids=[m.pk for m in page])
        by_id = {row.id: row for row in rows}
        return self.get_paginated_response(
            MemberSerializer([by_id[m.pk] for m in page], many=True).data
        )

    @extend_schema(request=MemberPatchSerializer, responses=MemberSerializer)
    def partial_update(self, request, pk=None):
        membership = self.get_object()
        body = MemberPatchSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        unknown = set(request.data) - set(MemberPatchSerializer().fields)
        if unknown:
            raise InvalidInput({name: ["This field cannot be changed."] for name in unknown})
        services.team_member_update(
            membership=membership, actor=Actor.from_request(request), data=body.validated_data
        )
        [row] = selectors.member_rows(tenant=request.tenant, ids=[membership.pk])
        return Response(MemberSerializer(row).data)


class RejectionReasonSerializer(serializers.ModelSerializer):
    active = serializers.BooleanField(source="is_active", required=False)

    class Meta:
        model = RejectionReason
        fields = ["id", "code", "label", "active", "position"]


class RejectionReasonViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    """The reasons sales may give when sending an SQL back to marketing, in order.

    Everyone reads the active ones (`?all=1`: inactive too); admins add, rename, reorder and
    deactivate. A reason in use cannot be deleted, only deactivated.
    """

    queryset = RejectionReason.all_tenants.none()
    serializer_class = RejectionReasonSerializer
    pagination_class = None  # a short ordered list, read whole
    capabilities = dict.fromkeys(
        ("create", "partial_update", "update_by_code", "destroy"), "tenant.admin"
    )

    def get_queryset(self):
        reasons = RejectionReason.objects.order_by("position", "label")
        if self.action == "list" and self.request.query_params.get("all") not in {"1", "true"}:
            reasons = reasons.filter(is_active=True)
        return reasons

    @extend_schema(request=RejectionReasonSerializer, responses={201: RejectionReasonSerializer})
    def create(self, request):
        reason = services.rejection_reason_create(
            tenant=request.tenant, actor=Actor.from_request(request), data=_body(request)
        )
        return Response(RejectionReasonSerializer(reason).data, status=201)

    @extend_schema(request=RejectionReasonSerializer, responses=RejectionReasonSerializer)
    def partial_update(self, request, pk=None):
        reason = services.rejection_reason_update(
            reason=self.get_object(), actor=Actor.from_request(request), data=_body(request)
        )
        return Response(RejectionReasonSerializer(reason).data)

    @extend_schema(
        request=RejectionReasonSerializer(many=True),
        responses=RejectionReasonSerializer(many=True),
        description="Change the reasons named by `code` in the list (e.g. a new order).",
        operation_id="rejection_reasons_update_by_code",
    )
    def update_by_code(self, request):
        services.rejection_reasons_update_by_code(
            actor=Actor.from_request(request), items=request.data
        )
        reasons = RejectionReason.objects.order_by("position", "label")
        return Response(RejectionReasonSerializer(reasons, many=True).data)

    @extend_schema(request=None, responses={204: None})
    def destroy(self, request, pk=None):
        services.rejection_reason_delete(
            reason=self.get_object(), actor=Actor.from_request(request)
        )
        return Response(status=204)


def _body(request) -> dict:
    if not isinstance(request.data, dict):
        raise InvalidInput({"non_field_errors": ["Send a JSON object."]})
    return dict(request.data)
