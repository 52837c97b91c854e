"""GET, POST, PATCH /api/v1/forms/: parse, call a service, render."""

from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers
from rest_framework.response import Response

from leads.webforms import services
from leads.webforms.models import FORM_FIELDS, WebForm
from leads.webforms.presenters import embed_snippets
from smarketing.api.viewsets import TenantViewSet
from smarketing.tenancy.actors import Actor


class WebFormSerializer(serializers.ModelSerializer):
    campaign = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)
    # Blank when the form shows its thank-you message instead: text, not always a URI.
    thank_you_url = serializers.CharField(read_only=True)
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


# Texts as the service reads them: a character Python does not count as white space (it
# collapses white space and refuses a name of nothing else); origins and addresses as
# `urlsplit` reads them, spelled narrowly enough that every address written so is taken.
NOT_BLANK = (
    "[^\\t-\\r\\x1c-\\x20\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]"
)
HOST = r"[A-Za-z0-9.-]+(:[0-9]{1,5})?"
ORIGIN_PATTERN = rf"^https?://{HOST}/?$"
ADDRESS_PATTERN = rf"^https?://{HOST}([/?#][!-~]*)?$"


@extend_schema_field({"type": "string", "pattern": NOT_BLANK, "maxLength": 200})
class FormNameField(serializers.CharField):
    pass


@extend_schema_field({"type": "string", "pattern": ORIGIN_PATTERN})
class OriginField(serializers.CharField):
    pass


@extend_schema_field({"type": "string", "pattern": ADDRESS_PATTERN, "maxLength": 500})
class ThankYouAddressField(serializers.CharField):
    pass


def _form_fields(help_text: str) -> serializers.ListField:
    return serializers.ListField(child=serializers.ChoiceField(choices=FORM_FIELDS),
                                 required=False, help_text=help_text)  # fmt: skip


class WebFormWriteSerializer(serializers.Serializer):
    """The body; the service checks every rule and answers field errors."""

    name = FormNameField()
    fields = _form_fields("The lead fields the form asks (e-mail always).")
    required = _form_fields("Among `fields`; e-mail always.")
    campaign = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, help_text="The id of a tenant's campaign."
    )
    consent_text = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    thank_you_message = serializers.CharField(required=False, allow_blank=True, max_length=500)
    thank_you_url = ThankYouAddressField(required=False, allow_blank=True)
    allowed_origins = serializers.ListField(
        child=OriginField(), required=False, max_length=services.MAX_ORIGINS,
        help_text="Origins (scheme, host, port) whose pages may post JSON to the form.",
    )  # fmt: skip


class WebFormPatchSerializer(WebFormWriteSerializer):
    name = FormNameField(required=False)


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

    @extend_schema(request=WebFormPatchSerializer, responses=WebFormSerializer)
    def partial_update(self, request, pk=None):
        form = services.webform_update(
            form=self.get_object(), actor=Actor.from_request(request), data=_body(request)
        )
        return Response(self.get_serializer(form).data)
