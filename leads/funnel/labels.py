"""What a report shows for a group's key: a campaign's name, a channel's, a persona's..."""

from __future__ import annotations

from typing import Any

from leads.models import Campaign, Channel, Lead, RejectionReason
from leads.routing.models import Team
from smarketing.countries import country_names

PERSONAS_NAMED = 100


def persona_names(ids: list[int]) -> dict[int, str]:
    """Names as the scoring stored them on leads (leads knows no personas app)."""
    names: dict[int, str] = {}
    for persona_id in ids[:PERSONAS_NAMED]:
        name = (
            Lead.objects.filter(persona_id=persona_id)
            .exclude(score_breakdown__persona__name=None)
            .values_list("score_breakdown__persona__name", flat=True)
            .first()
        )
        if isinstance(name, str) and name:
            names[persona_id] = name
    return names


def reason_label(code: str, labels: dict[str, str]) -> str:
    return labels.get(code) or (code.replace("_", " ").capitalize() if code else "No reason")


def group_labels(group_by: str, keys: list[Any]) -> dict[Any, str]:
    """A label for each key of a grouping (None, "" and the fixed keys included)."""
    present = [key for key in keys if key not in (None, "")]
    if group_by == "campaign":
        found = dict(Campaign.objects.filter(pk__in=present).values_list("pk", "name"))
        labels = {key: found.get(key, f"Campaign #{key}") for key in present}
        labels[None] = "No campaign"
    elif group_by == "channel":
        names = dict(Channel.choices)
        labels = {key: names.get(key, str(key)) for key in present}
        labels[None] = "No campaign"
    elif group_by == "persona":
        found = persona_names(present)
        labels = {key: found.get(key, f"Persona #{key}") for key in present}
        labels[None] = "No persona"
    elif group_by == "team":
        found = dict(Team.objects.values_list("pk", "name"))
        fixed = {"unassigned": "Unassigned (in the queue)", "none": "No team", "all": "All sales"}
        labels = {key: fixed.get(key) or found.get(key, f"Team #{key}") for key in present}
    elif group_by == "country":
        names = country_names()
        labels = {key: names.get(key, key) for key in present}
        labels[""] = labels[None] = "No country"
    elif group_by == "reason":
        found = dict(RejectionReason.objects.values_list("code", "label"))
        labels = {key: reason_label(key, found) for key in present}
        labels[""] = "No reason"
    else:
        raise ValueError(group_by)
    return labels
