"""One sign-off rule: the goals page offers a side exactly when signing it would sign."""

import itertools
from datetime import UTC, datetime

import pytest
from django.db import transaction
from django.utils import timezone

from sla.goals.services import goal_sign, goal_signable_sides
from sla.signoff import SIGN_SIDES
from smarketing.errors import DomainError
from smarketing.tenancy.actors import Actor
from smarketing.tenancy.roles import Role
from smarketing.tenancy.scope import tenant_scope
from tests.sla.goals.factories import GoalFactory

pytestmark = pytest.mark.django_db


class _Undo(Exception):
    pass


def _signs(goal, actor, side) -> bool:
    """Whether the service signs; whatever it did is rolled back."""
    try:
        with transaction.atomic():
            goal_sign(goal=goal, actor=actor, side=side)
            raise _Undo
    except _Undo:
        return True
    except DomainError:
        return False
    finally:
        goal.refresh_from_db()  # the service copies what it wrote onto the instance


def test_the_goals_page_offers_a_side_exactly_when_signing_it_would_sign(tenant, member, clock):
    clock.set(datetime(2027, 1, 15, 12, tzinfo=UTC))
    people = {role: member(tenant, role) for role in Role.values}
    colleague = member(tenant, Role.MANAGER)
    states = ("unsigned", "signed_by_me", "signed_by_other")
    mismatches, checked = [], 0
    with tenant_scope(tenant):
        for role, marketing, sales, period in itertools.product(
            Role.values,
            states,
            states,
            ("2027-01", "2026-12"),  # open, ended
        ):
            if marketing == sales == "signed_by_me":
                continue  # one person never holds both signatures
            me = people[role]
            signers = {"unsigned": None, "signed_by_me": me, "signed_by_other": colleague}
            goal = GoalFactory(
                tenant=tenant, period=period,
                marketing_signed_by=signers[marketing],
                marketing_signed_at=timezone.now() if signers[marketing] else None,
                sales_signed_by=signers[sales],
                sales_signed_at=timezone.now() if signers[sales] else None,
            )  # fmt: skip
            offered = set(goal_signable_sides(goal=goal, tz_name=tenant.timezone, role=role,
                                              user_id=me.pk))  # fmt: skip
            actor = Actor.member(me, role)
            signs = {
                side
                for side in SIGN_SIDES
                if getattr(goal, f"{side}_signed_by_id") is None and _signs(goal, actor, side)
            }
            if offered != signs:
                mismatches.append((role, marketing, sales, period, offered, signs))
            checked += 1
            goal.delete()  # one goal per metric and period: the next state takes its place
    assert checked == 4 * 8 * 2
    assert mismatches == []
