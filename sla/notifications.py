"""What the SLA's events tell people (registered in `SlaConfig.ready`)."""

from __future__ import annotations

from leads.notifications import lead_label, lead_url
from smarketing.notifications.builders import Batch, Draft, people, register_builder
from smarketing.notifications.kinds import Channel, register_kind

SLA_WARNING = register_kind(
    "sla_warning",
    "An SLA deadline is close (80% of the time used)",
    default_channel=Channel.IN_APP,
)
SLA_BREACHED = register_kind(
    "sla_breached", "An SLA deadline was missed", default_channel=Channel.BOTH
)
SLA_REVIEW_DUE = register_kind(
    "sla_review_due", "The SLA is due for review", default_channel=Channel.IN_APP
)
SLA_MARKETING_AT_RISK = register_kind(
    "sla.marketing_at_risk",
    "Marketing's SLA commitment is at risk",
    default_channel=Channel.IN_APP,
)
SLA_MARKETING_MISSED = register_kind(
    "sla.marketing_missed",
    "Marketing's SLA commitment was missed",
    default_channel=Channel.BOTH,
)

_OBLIGATION = {"accept": "Accept or reject", "first_touch": "First touch on"}


def sla_warning(tenant_id: int, data: dict, batch: Batch) -> list[Draft]:
    label = lead_label(batch, {}, data.get("lead"))
    what = _OBLIGATION.get(data.get("kind"), "Answer")
    due = batch.when(tenant_id, data.get("due_at"))
    return [
        Draft(uid, SLA_WARNING, f"SLA deadline close: {what.lower()} {label}",
              f"80% of the time is used. {what} {label} by {due}.",
              lead_url(batch, tenant_id, data.get("lead")))
        for uid in people(data.get("notify"))
    ]  # fmt: skip


def sla_breached(tenant_id: int, data: dict, batch: Batch) -> list[Draft]:
    label = lead_label(batch, {}, data.get("lead"))
    what = _OBLIGATION.get(data.get("kind"), "Answer")
    owner = data.get("owner") or {}
    body = f"{what} {label} was due {batch.when(tenant_id, data.get('due_at'))}."
    if owner.get("email"):
        body += f" Owner: {owner['email']}."
    rerouted = data.get("rerouted_to") or {}
    if rerouted.get("email"):
        body += f" Re-routed to {rerouted['email']}."
    return [
        Draft(uid, SLA_BREACHED, f"SLA breached: {what.lower()} {label}", body,
              lead_url(batch, tenant_id, data.get("lead")))
        for uid in people(data.get("notify"))
    ]  # fmt: skip


def sla_review_due(tenant_id: int, data: dict, batch: Batch) -> list[Draft]:
    name = data.get("name") or f"version {data.get('number')}"
    return [
        Draft(uid, SLA_REVIEW_DUE, f"SLA review due: {name}",
              f"The SLA {name} was due for review on {data.get('review_on')}: meet, check the "
              "numbers, agree new terms.", batch.page(tenant_id, "sla/"))
        for uid in people(data.get("notify"))
    ]  # fmt: skip


_TERMS = {
    "mqls": "MQLs",
    "sql_handoffs": "SQL hand-offs",
    "acceptance_rate": "Acceptance rate",
}


def _figure(term: str, value) -> str:
    if not isinstance(value, int | float) or isinstance(value, bool):
        return "—"
    if term == "acceptance_rate":
        return f"{round(value * 100)}%"
    return f"{value:g}" if isinstance(value, int) else f"{value:.1f}".removesuffix(".0")


def _shortfall(kind: str, tenant_id: int, data: dict, batch: Batch) -> list[Draft]:
    term, period = data.get("term") or "", data.get("period") or ""
    label = _TERMS.get(term, term)
    target, actual = _figure(term, data.get("target")), _figure(term, data.get("actual"))
    if kind == SLA_MARKETING_AT_RISK:
        expected = _figure(term, data.get("expected"))
        title = f"{label} behind pace in {period}: {actual} of {expected} expected by now"
        body = (f"The SLA asks for {target} in {period}; at this pace the month falls short. "
                "Look at the campaigns feeding the funnel.")  # fmt: skip
    elif term == "acceptance_rate":
        title = f"Acceptance rate missed in {period}: {actual} against {target}"
        decided = data.get("decided")
        body = (f"Sales accepted {actual} of the {decided} hand-offs they decided in {period}; "
                f"the SLA asks for at least {target}. Read why they were rejected.")  # fmt: skip
    else:
        title = f"{label} missed in {period}: {actual} of {target}"
        body = f"The SLA asked for {target} {label} in {period}; marketing reached {actual}."
    # The dashboard, on the month judged.
    first, last = data.get("period_start"), data.get("period_end")
    link = f"sla/?from={first}&to={last}" if first and last else "sla/"
    return [
        Draft(uid, kind, title, f"{body} (SLA v{data.get('version_number')})",
              batch.page(tenant_id, link))
        for uid in people(data.get("notify"))
    ]  # fmt: skip


def sla_marketing_at_risk(tenant_id: int, data: dict, batch: Batch) -> list[Draft]:
    return _shortfall(SLA_MARKETING_AT_RISK, tenant_id, data, batch)


def sla_marketing_missed(tenant_id: int, data: dict, batch: Batch) -> list[Draft]:
    return _shortfall(SLA_MARKETING_MISSED, tenant_id, data, batch)


def register() -> None:
    # The warning and the breach name their lead by id only: the batch loads its label.
    register_builder("sla.warning", sla_warning, label=("lead", "lead"))
    register_builder("sla.breached", sla_breached, label=("lead", "lead"))
    register_builder("sla.review_due", sla_review_due)
    register_builder("sla.marketing_at_risk", sla_marketing_at_risk)
    register_builder("sla.marketing_missed", sla_marketing_missed)
