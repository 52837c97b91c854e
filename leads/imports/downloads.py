"""The error report of a finished import as a download, for the API and the page."""

import csv

from django.http import FileResponse, HttpResponse
from django.utils.http import content_disposition_header

from leads.imports.models import LeadImport
from leads.imports.report import REASON_COLUMN


def error_report_response(lead_import: LeadImport) -> HttpResponse | FileResponse:
    """The failed rows as they were in the file, plus a `reason` column."""
    stem = lead_import.original_filename.rsplit(".", 1)[0] or "import"
    filename = f"{stem}-errors.csv"
    if lead_import.error_report:
        return FileResponse(
            lead_import.error_report.open("rb"),
            as_attachment=True,
            filename=filename,
            content_type="text/csv; charset=utf-8",
        )
    # No row failed, or the file was refused whole: the header alone.
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(True, filename)
    csv.writer(response).writerow([*lead_import.column_map, REASON_COLUMN])
    return response
