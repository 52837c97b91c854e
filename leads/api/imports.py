"""CSV imports over the API: upload a file, follow its progress, download its error report."""

import json

from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from leads.api.exports import CSVRenderer
from leads.imports.columns import CUSTOM_PREFIX, MAX_CUSTOM_NAME
from leads.imports.csvfile import MalformedFile
from leads.imports.downloads import error_report_response
from leads.imports.mapping import (
    CAMPAIGN_BY_NAME,
    IGNORE,
    LEAD_TARGETS,
    InvalidMapping,
    import_mapping_named,
    import_mapping_save,
    import_preview,
)
from leads.imports.models import LeadImport
from leads.imports.services import InvalidImportFile, lead_import_start
from smarketing.api.viewsets import TenantViewSet
from smarketing.errors import Conflict
from smarketing.tenancy.actors import Actor

# A target: a lead field, a campaign by name, a custom field by a name of 1 to 64
# characters (spelled plainly here; the service takes any name that is not blank), or none.
TARGET_PATTERN = (
    rf"^({'|'.join(LEAD_TARGETS)}|{CAMPAIGN_BY_NAME}|{IGNORE}"
    rf"|{CUSTOM_PREFIX}[A-Za-z0-9_.-]{{1,{MAX_CUSTOM_NAME}}})$"
)


@extend_schema_field(
    {
        "type": "object",
        "minProperties": 1,
        "additionalProperties": {"type": "string", "pattern": TARGET_PATTERN},
    }
)
class MappingField(serializers.JSONField):
    pass


class ImportUploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="A CSV file, UTF-8, separated by commas or semicolons.")
    mapping = MappingField(
        required=False,
        help_text='{column: target}: a lead field, "campaign_name", "custom:<name>" or "ignore"; '
        "columns left out are ignored. A JSON object (as text in a multipart body).",
    )
    mapping_name = serializers.CharField(required=False, help_text="Use a saved mapping.")
    save_mapping_as = serializers.CharField(required=False, help_text="Save `mapping` by name.")
    create_campaigns = serializers.BooleanField(
        required=False, help_text='Create the campaigns a "campaign_name" column names.'
    )


class ImportPreviewSerializer(serializers.Serializer):
    file = serializers.FileField()


def _mapping_of(request, tenant) -> dict | None:
    """The mapping the request names: given in the body, or saved under `mapping_name`."""
    raw = request.data.get("mapping")
    if isinstance(raw, str) and raw.strip():
        try:
            raw = json.loads(raw)
        except ValueError:
            raise InvalidMapping({"mapping": ["Must be a JSON object."]}) from None
    name = request.data.get("mapping_name")
    if not raw and name:
        raw = import_mapping_named(name)
    if raw and request.data.get("save_mapping_as"):
        import_mapping_save(tenant=tenant, name=request.data["save_mapping_as"], mapping=raw)
    return raw or None


class LeadImportSerializer(serializers.ModelSerializer):
    class Meta:
        model = LeadImport
        fields = [
            "id", "status", "original_filename", "total", "done", "created", "updated",
            "unchanged", "failed", "error", "column_map", "mapping", "create_campaigns",
            "created_at", "started_at",
            "finished_at",
        ]  # fmt: skip
        read_only_fields = fields


class ImportStillRunning(Conflict):
    code = "import_running"
    title = "The import has not finished"


class LeadImportViewSet(TenantViewSet):
    """Upload a CSV of leads (imported in the background), follow it, get its failed rows."""

    queryset = LeadImport.all_tenants.none()  # names the model; rows come from get_queryset
    serializer_class = LeadImportSerializer
    renderer_classes = [JSONRenderer, CSVRenderer]
    # The endpoints that take a file; every other endpoint reads JSON only.
    parser_classes = [MultiPartParser]
    capabilities = {"create": "leads.import", "retrieve": "leads.import", "errors": "leads.import",
                    "preview": "leads.import"}  # fmt: skip

    def get_queryset(self):
        return LeadImport.objects.all()

    @extend_schema(
        request={"multipart/form-data": ImportUploadSerializer},
        responses={202: LeadImportSerializer},
    )
    def create(self, request):
        """Queue the import of a CSV file: 202 with its `id` and `status` (`queued`); follow
        it at /imports/{id}/."""
        upload = request.FILES.get("file")
        if upload is None:
            raise InvalidImportFile("Send the CSV file as the multipart field `file`.")
        create_campaigns = str(request.data.get("create_campaigns", "")).lower() in ("true", "1")
        lead_import = lead_import_start(
            tenant=request.tenant, actor=Actor.from_request(request), uploaded_file=upload,
            mapping=_mapping_of(request, request.tenant), create_campaigns=create_campaigns,
        )  # fmt: skip
        body = self.get_serializer(lead_import).data
        response = Response(body, status=status.HTTP_202_ACCEPTED)
        response["Location"] = reverse("import-detail", kwargs={"pk": lead_import.pk})
        return response

    def retrieve(self, request, pk=None):
        """Progress: `total` (lines, exact once done), `done`, and what became of the rows."""
        return Response(self.get_serializer(self.get_object()).data)

    @extend_schema(request={"multipart/form-data": ImportPreviewSerializer},
                   responses={200: OpenApiTypes.OBJECT})  # fmt: skip
    def preview(self, request):
        """The header, the first rows and the proposed mapping of a file, before importing."""
        upload = request.FILES.get("file")
        if upload is None:
            raise InvalidImportFile("Send the CSV file as the multipart field `file`.")
        try:
            return Response(import_preview(uploaded_file=upload))
        except MalformedFile as exc:
            raise InvalidImportFile(str(exc)) from None

    @extend_schema(
        operation_id="v1_imports_errors_csv",
        responses={
            (200, "text/csv"): OpenApiTypes.STR,
            409: OpenApiResponse(description="The import has not finished yet."),
        },
    )
    def errors(self, request, pk=None):
        """The failed rows as they were in the file, with a `reason` column."""
        lead_import = self.get_object()
        if not lead_import.is_finished:
            raise ImportStillRunning(
                "The import is still running; its error report is ready when it has finished."
            )
        return error_report_response(lead_import)
