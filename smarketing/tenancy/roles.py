"""Who may do what: the one table of capabilities by role.

Stage moves have their own table in `leads.lifecycle`; everything else is asked here.
"""

from django.db import models


class Role(models.TextChoices):
    ADMIN = "admin", "Admin"
    MANAGER = "manager", "Manager"
    MARKETER = "marketer", "Marketer"
    SALES_REP = "sales_rep", "Sales rep"


# An integration API key is no member of the tenant; it acts with this role.
INTEGRATION = "integration"

MARKETING_ROLES = frozenset({Role.MARKETER})
SALES_ROLES = frozenset({Role.SALES_REP})
LEADERSHIP_ROLES = frozenset({Role.ADMIN, Role.MANAGER})
MEMBER_ROLES = frozenset(Role.values)

CAPABILITIES: dict[str, frozenset[str]] = {
    "read": MEMBER_ROLES | {INTEGRATION},
    "leads.ingest": LEADERSHIP_ROLES | MARKETING_ROLES | {INTEGRATION},
    "leads.edit": LEADERSHIP_ROLES | MARKETING_ROLES | SALES_ROLES,
    "leads.assign": LEADERSHIP_ROLES,
    "leads.erase": frozenset({Role.ADMIN}),
    "leads.merge": LEADERSHIP_ROLES | MARKETING_ROLES,
    # The subject access export: everything held about a person, for the data controller.
    "leads.personal_data": frozenset({Role.ADMIN}),
    "leads.import": LEADERSHIP_ROLES | MARKETING_ROLES,
    "events.record": LEADERSHIP_ROLES | MARKETING_ROLES | SALES_ROLES | {INTEGRATION},
    "campaigns.manage": LEADERSHIP_ROLES | MARKETING_ROLES,
    "forms.manage": LEADERSHIP_ROLES | MARKETING_ROLES,
    "personas.edit": MEMBER_ROLES,
    "scoring.manage": LEADERSHIP_ROLES,
    "queue.work": LEADERSHIP_ROLES | SALES_ROLES,
    "sla.manage": LEADERSHIP_ROLES,
    # Signing an SLA draft for a team; the service checks which side a role may sign.
    "sla.sign": MEMBER_ROLES,
    # Shared goals: managers and admins set them; each side's members sign them.
    "goals.manage": LEADERSHIP_ROLES,
    "goals.sign": MEMBER_ROLES,
    "meetings.manage": MEMBER_ROLES,
    "routing.manage": LEADERSHIP_ROLES,
    "webhooks.manage": frozenset({Role.ADMIN}),
    "tenant.admin": frozenset({Role.ADMIN}),
    # Who may mark a member away and set how many SQLs they hold (routing's concern).
    "members.availability": LEADERSHIP_ROLES,
}


def has_capability(role: str | None, capability: str) -> bool:
    if role is None:
        return False
    try:
        return role in CAPABILITIES[capability]
    except KeyError:
        raise KeyError(f"Unknown capability {capability!r}; add it to CAPABILITIES.") from None


def is_marketing_side(role: str) -> bool:
    return role in MARKETING_ROLES


def is_sales_side(role: str) -> bool:
    return role in SALES_ROLES
