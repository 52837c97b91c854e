"""A person's calendar feed: its secret address, made anew or revoked by its owner."""

from __future__ import annotations

import secrets

from django.core import signing
from django.db import transaction

from meetings.models import CalendarFeed
from smarketing.tenancy.actors import Actor
from smarketing.tenancy.audit import audit_record
from smarketing.tenancy.models import Tenant
from smarketing.tenancy.scope import cross_tenant_scope

_SIGNER = signing.Signer(salt="meetings.calendar-feed", sep=".")


def feed_token(feed: CalendarFeed) -> str:
    """The secret part of the feed's address: the row and its nonce, signed."""
    return _SIGNER.sign(f"{feed.pk}-{feed.nonce}")


def feed_by_token(token: str) -> CalendarFeed | None:
    """The feed this token opens, or None (forged, revoked, or replaced by a newer one)."""
    try:
        value = _SIGNER.unsign(token)
    except signing.BadSignature:
        return None
    pk, _, nonce = value.partition("-")
    if not pk.isdigit():
        return None
    with cross_tenant_scope():
        feed = CalendarFeed.all_tenants.select_related("tenant", "user").filter(pk=pk).first()
    if feed is None or not secrets.compare_digest(feed.nonce, nonce):
        return None
    return feed


def feed_of(*, tenant: Tenant, user) -> CalendarFeed | None:
    return CalendarFeed.objects.filter(tenant=tenant, user=user).first()


@transaction.atomic
def calendar_feed_reset(*, tenant: Tenant, actor: Actor) -> CalendarFeed:
    """A new feed address for the caller; any earlier address stops working."""
    feed, created = CalendarFeed.objects.get_or_create(
        tenant=tenant, user=actor.user, defaults={"nonce": secrets.token_hex(12)}
    )
    if not created:
        feed.nonce = secrets.token_hex(12)
        feed.save(update_fields=["nonce"])
    audit_record(tenant=tenant, actor=actor, action="meetings.calendar_feed_reset",
                 target=("calendar_feed", feed.pk, actor.user.email))  # fmt: skip
    return feed


@transaction.atomic
def calendar_feed_revoke(*, tenant: Tenant, actor: Actor) -> bool:
    """The caller's feed address stops working; returns whether there was one."""
    deleted, _ = CalendarFeed.objects.filter(tenant=tenant, user=actor.user).delete()
    if deleted:
        audit_record(tenant=tenant, actor=actor, action="meetings.calendar_feed_revoked",
                     target=("calendar_feed", "", actor.user.email))  # fmt: skip
    return bool(deleted)
