from typing import Any

from django.db import transaction
from django.utils.text import slugify

from leads.errors import InvalidLeadData, LeadDataConflict
from leads.models import Campaign
from smarketing.tenancy.actors import Actor
from smarketing.tenancy.audit import audit_record, changes_between, snapshot
from smarketing.tenancy.models import Membership
from smarketing.tenancy.roles import LEADERSHIP_ROLES, MARKETING_ROLES

CAMPAIGN_FIELDS = ("name", "channel", "cost", "starts_on", "ends_on", "slug", "owner_id")
# Who may own a campaign: the people who hear of its rejected hand-offs.
OWNER_ROLES = MARKETING_ROLES | LEADERSHIP_ROLES


def _validated(campaign: Campaign) -> Campaign:
    """The campaign's own fields first (400), then what the tenant's other rows refuse: a
    name or slug taken, an owner who is no marketer here (409)."""
    if campaign.starts_on and campaign.ends_on and campaign.ends_on < campaign.starts_on:
        raise InvalidLeadData({"ends_on": ["A campaign cannot end before it starts."]})
    conflicts: dict[str, list[str]] = {}
    if Campaign.objects.filter(name__iexact=campaign.name).exclude(pk=campaign.pk).exists():
        conflicts["name"] = [f"A campaign named {campaign.name!r} exists already."]
    if campaign.owner_id is not None and not (
        Membership.objects.filter(user_id=campaign.owner_id, role__in=list(OWNER_ROLES),
                                  is_active=True).exists()
    ):  # fmt: skip
        conflicts["owner"] = ["The owner must be a marketer, manager or admin here."]
    if (
        campaign.slug
        and Campaign.objects.filter(slug=campaign.slug).exclude(pk=campaign.pk).exists()
    ):
        conflicts["slug"] = [f"Another campaign has the slug {campaign.slug!r}."]
    if conflicts:
        raise LeadDataConflict(conflicts)
    return campaign


def _free_slug(name: str) -> str:
    """The campaign's name as a slug, numbered when another campaign has it already."""
    base = slugify(name)[:190] or "campaign"
    taken = set(Campaign.objects.filter(slug__startswith=base).values_list("slug", flat=True))
    slug, n = base, 1
    while slug in taken:
        n += 1
        slug = f"{base}-{n}"
    return slug


@transaction.atomic
def campaign_create(*, tenant, data: dict[str, Any], actor: Actor | None = None) -> Campaign:
    campaign = _validated(
        Campaign(tenant=tenant, **{k: data[k] for k in CAMPAIGN_FIELDS if k in data})
    )
    campaign.slug = campaign.slug or _free_slug(campaign.name)
    campaign.save()
    audit_record(
        tenant=tenant,
        actor=actor or Actor.system(),
        action="campaign.created",
        target=campaign,
        changes=changes_between({}, snapshot(campaign, list(CAMPAIGN_FIELDS))),
    )
    return campaign


@transaction.atomic
def campaign_update(
    *, campaign: Campaign, data: dict[str, Any], actor: Actor | None = None
) -> Campaign:
    changed = [name for name in CAMPAIGN_FIELDS if name in data]
    before = snapshot(campaign, changed)
    for name in changed:
        setattr(campaign, name, data[name])
    _validated(campaign).save(update_fields=changed)
    changes = changes_between(before, snapshot(campaign, changed))
    if changes:
        audit_record(
            tenant=campaign.tenant_id,
            actor=actor or Actor.system(),
            action="campaign.changed",
            target=campaign,
            changes=changes,
        )
    return campaign
