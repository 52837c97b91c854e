"""GET, POST, PATCH /api/v1/forms/: parse, call a service, render."""

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers
from rest_framework.response import Response

from leads.webforms import services
from leads.webforms.models import FORM_FIELDS, WebForm
from leads.webforms.presenters import embed_snippets
from smarketing.api.viewsets import TenantViewSet
from smarketing.tenancy.actors import Actor


class WebFormSerializer(serializers.ModelSerializer):
    campaign = serializers.PrimaryKeyRelatedField(read_only=True)
    embed = serializers.SerializerMethodField()

    class Meta:
        model = WebForm
        fields = ["id", "name", "key", "fields", "required", "campaign", "consent_text",
                  "consent_version", "thank_you_message", "thank_you_url", "allowed_origins",
                  "embed", "created_at", "updated_at"]  # fmt: skip
        read_only_fields = fields

    def get_embed(self, form) -> dict:
        request = self.context.get("request")
        base = request.build_absolute_uri("/") if request is not None else "/"
        return embed_snippets(form, base_url=base)


class WebFormWriteSerializer(serializers.Serializer):
    """The body; the service checks every rule and answers field errors."""

    name = serializers.CharField(required=False)
    fields = serializers.ListField(
        child=serializers.CharField(),
        required=False,
        help_text="Lead fields: " + ", ".join(FORM_FIELDS),
    )
    required = serializers.ListField(
        child=serializers.CharField(), required=False, help_text="Among `fields`; e-mail always."
    )
    campaign = serializers.IntegerField(required=False, allow_null=True)
    consent_text = serializers.CharField(required=False, allow_blank=True)
    thank_you_message = serializers.CharField(required=False, allow_blank=True)
    thank_you_url = serializers.CharField(required=False, allow_blank=True)
    allowed_origins = serializers.ListField(child=serializers.CharField(), required=False)


def _body(request) -> dict:
    if not isinstance(request.data, dict):
        return {"_": None}  # answered by the service as an unknown field
    return dict(request.data)


class WebFormViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet
):  # fmt: skip
    """Web forms that put leads in from the company's site."""

    queryset = WebForm.all_tenants.none()
    serializer_class = WebFormSerializer
    capabilities = {"create": "forms.manage", "partial_update": "forms.manage"}

    def get_queryset(self):
        return WebForm.objects.order_by("-id")

    @extend_schema(request=WebFormWriteSerializer, responses={201: WebFormSerializer})
    def create(self, request):
        form = services.webform_create(
            tenant=request.tenant, actor=Actor.from_request(request), data=_body(request)
        )
        return Response(self.get_serializer(form).data, status=201)

    @extend_schema(request=WebFormWriteSerializer, responses=WebFormSerializer)
    def partial_update(self, request, pk=None):
        form = services.webform_update(
            form=self.get_object(), actor=Actor.from_request(request), data=_body(request)
        )
        return Response(self.get_serializer(form).data)
