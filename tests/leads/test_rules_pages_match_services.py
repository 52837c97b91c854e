"""The lead page offers exactly what the services allow: for every role, every stage and every
way an SQL can be held, each button shown is one the service accepts, and each action the
service accepts has its button. Both sides read the predicates of `leads.lifecycle`.

Likewise the SLA version page offers a side to sign exactly when the service lets the person
sign it (and has not been signed yet).
"""

from __future__ import annotations

import itertools
from decimal import Decimal

import pytest
from django.db import transaction
from django.utils import timezone

from leads import services
from leads.models import Lead, Stage
from leads.page_actions import ACCEPT, MOVE, REJECT, TOUCH, lead_actions
from sla.models import SIGN_SIDES, SlaStatus
from sla.services.versions import signable_sides, sla_version_sign
from smarketing.errors import DomainError
from smarketing.tenancy.actors import Actor
from smarketing.tenancy.roles import Role
from smarketing.tenancy.scope import tenant_scope
from tests.leads.factories import LeadFactory
from tests.sla.factories import SlaVersionFactory

pytestmark = pytest.mark.django_db

# How an SQL (or a later stage) is held: (owner, accepted) seen from the acting person.
HOLDINGS = ("free", "routed_to_me", "routed_to_other", "accepted_by_me", "accepted_by_other")
# Holdings that make sense for a stage: only an SQL is routed; only SQLs and later are owned.
_OWNED_STAGES = {Stage.SQL, Stage.OPPORTUNITY, Stage.WON, Stage.LOST, Stage.DISQUALIFIED}


class _Undo(Exception):
    """Raised to roll back a service call that succeeded: each trial starts from the same lead."""


def _lead(tenant, stage: str, holding: str, me, other) -> Lead:
    owner = {"routed_to_me": me, "accepted_by_me": me,
             "routed_to_other": other, "accepted_by_other": other}.get(holding)  # fmt: skip
    accepted_at = timezone.now() if holding.startswith("accepted") else None
    return LeadFactory(tenant=tenant, stage=stage, owner=owner, accepted_at=accepted_at)


def _allowed(call) -> bool:
    """Whether the service accepts the call; whatever it did is rolled back."""
    try:
        with transaction.atomic():
            call()
            raise _Undo
    except _Undo:
        return True
    except DomainError:
        return False


def _service_allows(lead_id: int, actor: Actor, reason_code: str) -> set[tuple[str, str | None]]:
    def fresh() -> Lead:
        return Lead.objects.select_related("owner").get(pk=lead_id)

    allowed: set[tuple[str, str | None]] = set()
    if _allowed(lambda: services.lead_accept(lead=fresh(), actor=actor)):
        allowed.add((ACCEPT, Stage.SQL))
    if _allowed(lambda: services.lead_reject(lead=fresh(), actor=actor, reason_code=reason_code)):
        allowed.add((REJECT, Stage.RECYCLED))
    if _allowed(lambda: services.lead_touch_log(lead=fresh(), actor=actor, type="call")):
        allowed.add((TOUCH, None))
    for target in Stage.values:
        if target == Stage.RECYCLED:
            continue  # reaching recycled is the rejection, offered as its own button
        call = lambda target=target: services.lead_transition(  # noqa: E731
            lead=fresh(), to=target, actor=actor, reason_code=reason_code, amount=Decimal("10")
        )
        if _allowed(call):
            allowed.add((MOVE, target))
    return allowed


def _page_offers(lead_id: int, actor: Actor) -> set[tuple[str, str | None]]:
    lead = Lead.objects.select_related("owner").get(pk=lead_id)
    return {(action.kind, action.target) for action in lead_actions(lead=lead, actor=actor)}


def test_the_lead_page_offers_exactly_what_the_services_allow(tenant, member, reasons):
    people = {role: member(tenant, role) for role in Role.values}
    other_rep = member(tenant, Role.SALES_REP)
    reason = next(r.code for r in reasons if r.is_active)
    checked = 0
    mismatches = []
    with tenant_scope(tenant):
        for role, stage, holding in itertools.product(Role.values, Stage.values, HOLDINGS):
            if holding != "free" and stage not in _OWNED_STAGES:
                continue
            if holding.startswith("routed") and stage != Stage.SQL:
                continue
            me = people[role]
            lead = _lead(tenant, stage, holding, me, other_rep)
            actor = Actor.member(me, role)
            offered = _page_offers(lead.pk, actor)
            allowed = _service_allows(lead.pk, actor, reason)
            if offered != allowed:
                mismatches.append((role, stage, holding, sorted(offered - allowed),
                                   sorted(allowed - offered)))  # fmt: skip
            checked += 1
    assert checked == 4 * (3 + 5 + 4 * 3)  # lead, mql, recycled: free; sql: 5; later: 3 each
    assert mismatches == []


def test_the_sla_page_offers_a_side_exactly_when_signing_it_would_sign(tenant, member):
    people = {role: member(tenant, role) for role in Role.values}
    colleague = member(tenant, Role.MANAGER)
    checked = 0
    mismatches = []
    states = ("unsigned", "signed_by_me", "signed_by_other")
    with tenant_scope(tenant):
        for role, marketing, sales, status in itertools.product(
            Role.values, states, states, (SlaStatus.DRAFT, SlaStatus.RETIRED)
        ):
            if marketing == sales == "signed_by_me":
                continue  # one person never holds both signatures
            me = people[role]
            signers = {"unsigned": None, "signed_by_me": me, "signed_by_other": colleague}
            version = SlaVersionFactory(
                tenant=tenant, status=status,
                marketing_signed_by=signers[marketing],
                marketing_signed_at=timezone.now() if signers[marketing] else None,
                sales_signed_by=signers[sales],
                sales_signed_at=timezone.now() if signers[sales] else None,
            )  # fmt: skip
            offered = set(signable_sides(version=version, role=role, user_id=me.pk))
            actor = Actor.member(me, role)
            signs = set()
            for side in SIGN_SIDES:
                was_unsigned = getattr(version, f"{side}_signed_by_id") is None
                if was_unsigned and _allowed(
                    lambda v=version, a=actor, side=side: sla_version_sign(
                        version=v, actor=a, side=side
                    )
                ):
                    signs.add(side)
                version.refresh_from_db()
            if offered != signs:
                mismatches.append((role, marketing, sales, status, offered, signs))
            checked += 1
    assert checked == 4 * 8 * 2
    assert mismatches == []
