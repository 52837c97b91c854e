"""The JSON shapes of a lead in events and webhooks."""

from typing import Any

from leads.models import Lead


def owner_payload(user) -> dict[str, Any] | None:
    return {"id": user.pk, "email": user.email} if user is not None else None


def lead_payload(lead: Lead) -> dict[str, Any]:
    return {
        "id": lead.pk,
        "email": lead.email,
        "first_name": lead.first_name,
        "last_name": lead.last_name,
        "company": lead.company,
        "stage": lead.stage,
        "owner": owner_payload(lead.owner) if lead.owner_id else None,
        "score": lead.score,
        "campaign": lead.campaign_id,
        "persona": lead.persona_id,
    }
