from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from leads.models import Campaign

CAMPAIGN_FIELDS = ("name", "channel", "cost", "starts_on", "ends_on")


def _validated(campaign: Campaign) -> Campaign:
    if campaign.starts_on and campaign.ends_on and campaign.ends_on < campaign.starts_on:
        raise ValidationError({"ends_on": "A campaign cannot end before it starts."})
    if Campaign.objects.filter(name__iexact=campaign.name).exclude(pk=campaign.pk).exists():
        raise ValidationError({"name": f"A campaign named {campaign.name!r} exists already."})
    return campaign


@transaction.atomic
def campaign_create(*, tenant, data: dict[str, Any]) -> Campaign:
    campaign = _validated(
        Campaign(tenant=tenant, **{k: data[k] for k in CAMPAIGN_FIELDS if k in data})
    )
    campaign.save(force_insert=True)
    return campaign


@transaction.atomic
def campaign_update(*, campaign: Campaign, data: dict[str, Any]) -> Campaign:
    changed = [name for name in CAMPAIGN_FIELDS if name in data]
    for name in changed:
        setattr(campaign, name, data[name])
    _validated(campaign).save(update_fields=changed)
    return campaign
