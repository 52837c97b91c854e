"""CSV imports over the API: upload a file, follow its progress, download its error report."""

from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from leads.api.exports import CSVRenderer
from leads.imports.downloads import error_report_response
from leads.imports.models import LeadImport
from leads.imports.services import InvalidImportFile, lead_import_start
from smarketing.api.viewsets import TenantViewSet
from smarketing.errors import Conflict
from smarketing.tenancy.actors import Actor


class ImportUploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="A CSV file, UTF-8, separated by commas or semicolons.")


class LeadImportSerializer(serializers.ModelSerializer):
    class Meta:
        model = LeadImport
        fields = [
            "id", "status", "original_filename", "total", "done", "created", "updated",
            "unchanged", "failed", "error", "column_map", "created_at", "started_at",
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
    # The one endpoint that takes a file; every other endpoint reads JSON only.
    parser_classes = [MultiPartParser]
    capabilities = {"create": "leads.import", "retrieve": "leads.import", "errors": "leads.import"}

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
        lead_import = lead_import_start(
            tenant=request.tenant, actor=Actor.from_request(request), uploaded_file=upload
        )
        body = self.get_serializer(lead_import).data
        response = Response(body, status=status.HTTP_202_ACCEPTED)
        response["Location"] = reverse("import-detail", kwargs={"pk": lead_import.pk})
        return response

    def retrieve(self, request, pk=None):
        """Progress: `total` (lines, exact once done), `done`, and what became of the rows."""
        return Response(self.get_serializer(self.get_object()).data)

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
