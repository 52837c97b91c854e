"""Team self-service API of the core (admins): audit log, invitations, API keys, settings."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from smarketing.api.viewsets import TenantAPIView, TenantViewSet
from smarketing.errors import InvalidInput
from smarketing.tenancy import services as tenancy_services
from smarketing.tenancy.actors import Actor
from smarketing.tenancy.audit_models import AuditEntry
from smarketing.tenancy.audit_selectors import audit_entries, parse_moment
from smarketing.tenancy.invitations import services as invitations
from smarketing.tenancy.invitations.models import Invitation
from smarketing.tenancy.models import ApiKey, Tenant
from smarketing.tenancy.roles import Role
from smarketing.tenancy.tenant_settings import tenant_update

ADMIN = "tenant.admin"


# --- audit log ----------------------------------------------------------------------------


class AuditEntrySerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor_label")
    target = serializers.SerializerMethodField()

    class Meta:
        model = AuditEntry
        fields = ["id", "created_at", "actor", "actor_role", "action", "target", "changes", "ip"]
        read_only_fields = fields

    def get_target(self, entry) -> dict:
        return {"type": entry.target_type, "id": entry.target_id, "label": entry.target_label}


AUDIT_FILTERS = [
    OpenApiParameter("actor", str, description="E-mail of who acted, or `system`."),
    OpenApiParameter(
        "action", str, description="An action (`member.role_changed`) or a family (`member`)."
    ),
    OpenApiParameter("from", str, description="ISO date or date-time, inclusive."),
    OpenApiParameter("to", str, description="ISO date (inclusive) or date-time (exclusive)."),
]


def audit_filters(params) -> dict:
    """The selector's arguments from query parameters; a bad date is a field error."""
    found = {"actor": params.get("actor", ""), "action": params.get("action", "")}
    errors = {}
    for name, key, end in (("from", "since", False), ("to", "until", True)):
        # parse_moment reads a missing value (None) as "": the default changes nothing.
        raw = params.get(name, "")  # pragma: no mutate
        found[key] = parse_moment(raw, end=end)
        if raw and found[key] is None:
            errors[name] = ["Use an ISO date (2026-12-04) or date-time."]
    if errors:
        raise InvalidInput(errors)
    return found


class AuditEntryViewSet(mixins.ListModelMixin, TenantViewSet):
    """Who changed what in the tenant's configuration, newest first (admins)."""

    queryset = AuditEntry.all_tenants.none()
    serializer_class = AuditEntrySerializer
    capabilities = {"list": ADMIN}

    def get_queryset(self):
        return audit_entries(**audit_filters(self.request.query_params))

    @extend_schema(parameters=AUDIT_FILTERS)
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)


# --- invitations --------------------------------------------------------------------------


class InvitationSerializer(serializers.ModelSerializer):
    status = serializers.SerializerMethodField()

    class Meta:
        model = Invitation
        fields = ["id", "email", "role", "status", "sent_at", "expires_at", "accepted_at"]
        read_only_fields = fields

    def get_status(self, invitation) -> str:
        if invitation.accepted_at:
            return "accepted"
        if invitation.revoked_at:
            return "revoked"
        return "expired" if invitation.is_expired else "open"


class InvitationCreateSerializer(serializers.Serializer):
    email = serializers.EmailField()
    role = serializers.ChoiceField(Role.choices)


class InvitationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    """Invitations by e-mail: a signed link, valid 7 days, single use (admins)."""

    queryset = Invitation.all_tenants.none()
    serializer_class = InvitationSerializer
    capabilities = dict.fromkeys(("list", "retrieve", "create", "resend", "destroy"), ADMIN)

    def get_queryset(self):
        return Invitation.objects.order_by("-id")

    @extend_schema(request=InvitationCreateSerializer, responses={201: InvitationSerializer})
    def create(self, request):
        body = InvitationCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        invitation = invitations.invitation_create(
            tenant=request.tenant, actor=Actor.from_request(request), **body.validated_data
        )
        return Response(InvitationSerializer(invitation).data, status=201)

    @extend_schema(request=None, responses=InvitationSerializer)
    @action(detail=True, methods=["post"])
    def resend(self, request, pk=None):
        """A new link by e-mail; the previous one stops working."""
        invitation = invitations.invitation_resend(
            invitation=self.get_object(), actor=Actor.from_request(request)
        )
        return Response(InvitationSerializer(invitation).data)

    @extend_schema(request=None, responses=InvitationSerializer)
    def destroy(self, request, pk=None):
        """Revoke: the link stops working (the record stays)."""
        invitation = invitations.invitation_revoke(
            invitation=self.get_object(), actor=Actor.from_request(request)
        )
        return Response(InvitationSerializer(invitation).data)


# --- API keys -----------------------------------------------------------------------------


class ApiKeySerializer(serializers.ModelSerializer):
    kind = serializers.SerializerMethodField()
    user = serializers.EmailField(source="user.email", allow_null=True, default=None)

    class Meta:
        model = ApiKey
        fields = ["id", "name", "kind", "user", "prefix", "created_at", "last_used_at",
                  "revoked_at"]  # fmt: skip
        read_only_fields = fields

    def get_kind(self, api_key) -> str:
        return "integration" if api_key.is_integration else "user"


class ApiKeyCreatedSerializer(ApiKeySerializer):
    key = serializers.CharField(help_text="Shown this once: it is stored hashed.")

    class Meta(ApiKeySerializer.Meta):
        fields = [*ApiKeySerializer.Meta.fields, "key"]
        read_only_fields = fields


class ApiKeyCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    kind = serializers.ChoiceField(["user", "integration"])
    user = serializers.EmailField(required=False, help_text="For a user key: the member's e-mail.")

    def validate(self, data):
        if data["kind"] == "user" and not data.get("user"):
            raise serializers.ValidationError({"user": "A user key needs the member's e-mail."})
        if data["kind"] == "integration" and data.get("user"):
            raise serializers.ValidationError({"user": "An integration key acts as no user."})
        return data


def issue_api_key(*, request, name: str, kind: str, email: str | None):
    """Parse the owner and call the one key-issuing service (also used by the page)."""
    from django.core.exceptions import ValidationError

    user = None
    if kind == "user":
        user = get_user_model().objects.filter(email__iexact=(email or "").strip()).first()
        if user is None:
            raise InvalidInput({"user": [f"{email} is not a member here."]})
    try:
        return tenancy_services.api_key_create(
            tenant=request.tenant, name=name, user=user, actor=Actor.from_request(request)
        )
    except ValidationError as error:
        raise InvalidInput({k: list(v) for k, v in error.message_dict.items()}) from None


class ApiKeyViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    """API keys of the tenant (admins). The secret is answered once, on creation."""

    queryset = ApiKey.all_tenants.none()
    serializer_class = ApiKeySerializer
    capabilities = dict.fromkeys(("list", "retrieve", "create", "destroy"), ADMIN)

    def get_queryset(self):
        return ApiKey.objects.select_related("user").order_by("-id")

    @extend_schema(request=ApiKeyCreateSerializer, responses={201: ApiKeyCreatedSerializer})
    def create(self, request):
        body = ApiKeyCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        issued = issue_api_key(
            request=request, name=data["name"], kind=data["kind"], email=data.get("user")
        )
        payload = ApiKeySerializer(issued.api_key).data
        return Response({**payload, "key": issued.raw_key}, status=201)

    @extend_schema(request=None, responses={204: None})
    def destroy(self, request, pk=None):
        """Revoke the key: the next request with it answers 401."""
        tenancy_services.api_key_revoke(
            api_key=self.get_object(), actor=Actor.from_request(request)
        )
        return Response(status=204)


# --- tenant settings ----------------------------------------------------------------------


class TenantSettingsSerializer(serializers.ModelSerializer):
    class Meta:
        model = Tenant
        fields = ["slug", "name", "timezone", "country"]
        read_only_fields = ["slug"]
        extra_kwargs = {
            "name": {"required": False},
            "timezone": {"required": False, "help_text": "IANA time zone, e.g. Europe/Rome."},
            "country": {"required": False, "help_text": "ISO 3166 alpha-2, e.g. IT."},
        }


class TenantSettingsView(TenantAPIView):
    """The tenant's name, timezone and country (admins)."""

    capabilities = {"get": ADMIN, "patch": ADMIN}

    @extend_schema(responses=TenantSettingsSerializer)
    def get(self, request):
        return Response(TenantSettingsSerializer(request.tenant).data)

    @extend_schema(request=TenantSettingsSerializer, responses=TenantSettingsSerializer)
    def patch(self, request):
        # A body that is no object never gets here: the request schema refuses it.
        unknown = set(request.data) - {"name", "timezone", "country"}
        if unknown:
            raise InvalidInput({field: ["This field cannot be changed."] for field in unknown})
        tenant = tenant_update(
            tenant=request.tenant, actor=Actor.from_request(request), data=request.data
        )
        return Response(TenantSettingsSerializer(tenant).data)
