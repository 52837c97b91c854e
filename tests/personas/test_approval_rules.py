"""Which side an approval counts for, and the exact refusal each caller gets."""

import pytest

from personas.errors import ApprovalRefused, InvalidPersonaData
from personas.services import approval_side_for
from personas.services.approval import SideRequired
from smarketing.tenancy.roles import INTEGRATION, Role

BOTH = {"marketing", "sales"}


@pytest.mark.parametrize(
    ("role", "requested", "missing", "side"),
    [
        (Role.MARKETER, None, BOTH, "marketing"),
        (Role.MARKETER, "marketing", BOTH, "marketing"),
        (Role.SALES_REP, None, BOTH, "sales"),
        (Role.SALES_REP, "sales", {"sales"}, "sales"),
        (Role.MANAGER, "sales", BOTH, "sales"),
        (Role.ADMIN, "marketing", BOTH, "marketing"),
        (Role.MANAGER, None, {"sales"}, "sales"),
        (Role.ADMIN, None, {"marketing"}, "marketing"),
    ],
)
def test_each_role_approves_for_its_side_and_leaders_for_the_one_they_name(
    role, requested, missing, side
):
    assert approval_side_for(role=role, requested=requested, missing=missing) == side


@pytest.mark.parametrize(
    ("role", "requested", "message"),
    [
        (Role.MARKETER, "sales", "Your role (marketer) approves for marketing only."),
        (Role.SALES_REP, "marketing", "Your role (sales_rep) approves for sales only."),
        (INTEGRATION, None, "Your role (integration) may not approve personas."),
        (INTEGRATION, "sales", "Your role (integration) may not approve personas."),
    ],
)
def test_a_side_the_role_does_not_speak_for_is_refused_with_the_reason(role, requested, message):
    with pytest.raises(ApprovalRefused) as refused:
        approval_side_for(role=role, requested=requested, missing=BOTH)
    assert refused.value.detail == message
    assert refused.value.code == "approval_not_allowed"


@pytest.mark.parametrize("missing", [BOTH, set()])
def test_a_leader_who_names_no_side_must_choose_unless_one_side_is_missing(missing):
    with pytest.raises(SideRequired) as refused:
        approval_side_for(role=Role.MANAGER, requested=None, missing=missing)
    assert refused.value.detail == (
        "Managers and admins choose the side they approve for: marketing or sales."
    )
    assert (refused.value.code, refused.value.title) == (
        "side_required", "Say which side you approve for",
    )  # fmt: skip


@pytest.mark.parametrize("role", [Role.MARKETER, Role.MANAGER])
def test_an_unknown_side_is_a_field_error_listing_the_sides(role):
    with pytest.raises(InvalidPersonaData) as refused:
        approval_side_for(role=role, requested="finance", missing=BOTH)
    assert refused.value.errors == {"side": ["Use one of: marketing, sales."]}
