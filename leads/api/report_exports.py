"""Reports of the leads app as CSV, beside their JSON endpoints: each CSV view is its JSON
view with another last step, so both take the same filters and give the same figures."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from leads.api.exports import CSV_SCHEMA, CSVRenderer, csv_download
from leads.api.sales_desk import RejectionFeedbackView

FEEDBACK_HEADER = ["level", "key", "label", "handed_off", "rejected", "rate", "reason_code",
                   "reason", "note", "by", "at", "lead", "email", "company", "campaign",
                   "persona"]  # fmt: skip


def _padded(cells: list[Any]) -> list[Any]:
    """Every row as wide as the header: a spreadsheet lines the columns up."""
    return cells + [None] * (len(FEEDBACK_HEADER) - len(cells))


def feedback_rows(report: dict[str, Any]) -> Iterator[list[Any]]:
    """The total, each group, then each rejection with its note (newest first)."""
    yield _padded(["total", None, "All", report["handed_off"], report["rejected"], report["rate"]])
    for group in report["groups"]:
        yield _padded([report["group_by"], group["key"], group["label"], group["handed_off"],
                       group["rejected"], group["rate"]])  # fmt: skip
    for note in report["notes"]:
        yield ["note", None, None, None, None, None, note["reason_code"], note["reason"],
               note["note"], note["by"], note["at"], note["lead"], note["email"],
               note["company"], note["campaign_name"], note["persona"]]  # fmt: skip


@extend_schema_view(
    get=extend_schema(operation_id="v1_feedback_rejections_csv", responses=CSV_SCHEMA)
)
class RejectionFeedbackCsvView(RejectionFeedbackView):
    """Sales' feedback with the same parameters, as CSV."""

    renderer_classes = [JSONRenderer, CSVRenderer]

    def finalize_response(self, request, response, *args, **kwargs):
        if isinstance(response, Response) and response.status_code == 200:
            response = csv_download(request=request, name="feedback", header=FEEDBACK_HEADER,
                                    rows=feedback_rows(response.data))  # fmt: skip
        return super().finalize_response(request, response, *args, **kwargs)
