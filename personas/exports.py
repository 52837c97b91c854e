"""Persona performance as CSV (`GET /api/v1/personas/performance.csv`): a row per persona
with the figures the persona list and `GET /api/v1/personas/{id}/performance/` show, read
through the same selector."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework.renderers import JSONRenderer

from leads.api.exports import CSV_SCHEMA, CSVRenderer, csv_download
from personas import selectors
from personas.api import PERIOD_PARAMETERS, performance_period
from smarketing.api.viewsets import TenantAPIView
from smarketing.periods import Period

FIGURES = ("leads", "mqls", "sqls", "accepted", "rejected", "opportunities", "won",
           "mql_to_sql_rate", "acceptance_rate", "sql_to_opportunity_rate",
           "won_revenue")  # fmt: skip
HEADER = ["persona_id", "name", "current_version", "status", "approved_version", *FIGURES,
          "rejection_reasons"]  # fmt: skip


def performance_rows(period: Period | None = None) -> Iterator[list[Any]]:
    """Every persona of the current tenant, newest first (as the list page orders them),
    with its figures of `period` (all time for None)."""
    views = [selectors.persona_view(p) for p in selectors.persona_list().order_by("-id")]
    performance = selectors.persona_performance(persona_ids=[view.id for view in views],
                                                period=period)  # fmt: skip
    for view in views:
        stats = performance[view.id]
        reasons = "; ".join(f"{r['label']}: {r['count']}" for r in stats["rejection_reasons"])
        yield [view.id, view.current.name, view.current.number, view.current.status,
               view.approved.number if view.approved else None,
               *(stats[name] for name in FIGURES), reasons]  # fmt: skip


class PersonaPerformanceCsvView(TenantAPIView):
    """Each persona's funnel figures, conversion and acceptance rates and won revenue."""

    renderer_classes = [JSONRenderer, CSVRenderer]

    @extend_schema(operation_id="v1_personas_performance_csv", parameters=PERIOD_PARAMETERS,
                   responses=CSV_SCHEMA)  # fmt: skip
    def get(self, request):
        period = performance_period(request)
        # Read now, inside the request's scope: the rows are few (one per persona).
        rows = list(performance_rows(period))
        return csv_download(request=request, name="persona-performance", header=HEADER,
                            rows=rows)  # fmt: skip
