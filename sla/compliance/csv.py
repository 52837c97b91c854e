"""The compliance report as CSV rows: the totals, each group of `group_by`, the breaches by
rep and the rejection reasons, one row each, under one header (empty where a column does
not apply). Cells are the report's own figures: the file and the API never disagree."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

SALES = ("opened", "met_on_time", "met_late", "breached", "cancelled", "pending",
         "on_time_rate", "responses", "median_response_hours", "p90_response_hours",
         "mean_response_hours")  # fmt: skip
MARKETING = ("mqls", "sql_handoffs", "accepted", "rejected", "acceptance_rate")
TARGETS = ("mqls", "sql_handoffs", "min_acceptance_rate")
HEADER = ["level", "key", "label", "from", "to", *SALES, *MARKETING,
          *(f"target_{name}" for name in TARGETS), "count"]  # fmt: skip


def _row(level: str, key: Any, label: str, start: Any, end: Any, *, sales=None, marketing=None,
         targets=None, count=None) -> list[Any]:  # fmt: skip
    sales, marketing, targets = sales or {}, marketing or {}, targets or {}
    return [
        level, key, label, start, end,
        *(sales.get(name) for name in SALES),
        *(marketing.get(name) for name in MARKETING),
        *(targets.get(name) for name in TARGETS),
        count,
    ]  # fmt: skip


def compliance_rows(report: dict[str, Any]) -> Iterator[list[Any]]:
    start, end = report["from"], report["to"]
    marketing = report["marketing"]
    yield _row("total", None, "All", start, end, sales=report["sales"], marketing=marketing,
               targets=marketing.get("targets"))  # fmt: skip
    weeks = {group["key"]: group for group in marketing.get("groups", [])}
    for group in report["sales"].get("groups", []):
        week = weeks.get(group["key"], {})
        yield _row(report["group_by"], group["key"], group["label"], group.get("start"),
                   group.get("end"), sales=group, marketing=week,
                   targets=week.get("targets"))  # fmt: skip
    for rep in report["breaches_by_rep"]:
        owner = rep["owner"]
        yield _row("breaches_by_rep", owner["id"] if owner else None, rep["label"], start, end,
                   sales={"opened": rep["opened"], "breached": rep["breaches"]})  # fmt: skip
    for reason in marketing["rejection_reasons"]:
        yield _row("rejection_reason", reason["code"], reason["label"], start, end,
                   count=reason["count"])  # fmt: skip
