"""Checking scoring settings: each limit inclusive, and the message a manager reads."""

import pytest

from personas.errors import InvalidPersonaData
from personas.models import RescoreJob, ScoringSettings
from personas.scoring import EngagementConfig
from personas.services.settings import clean_scoring_settings, scoring_settings_update
from smarketing.errors import Forbidden
from smarketing.tenancy.actors import Actor
from smarketing.tenancy.models import AuditEntry
from smarketing.tenancy.roles import Role
from smarketing.tenancy.scope import tenant_scope
from tests.personas.factories import ScoringSettingsFactory

EVENT_TYPES = (
    "page_view, form_submit, email_open, email_click, download, webinar, call, email, meeting"
)


@pytest.mark.parametrize(
    ("name", "low", "high"),
    [
        ("half_life_days", 0.1, 3650),
        ("saturation", 1, 10000),
        ("fit_weight", 0, 100),
        ("engagement_weight", 0, 100),
    ],
)
def test_each_number_is_accepted_at_its_limits_and_refused_past_them(name, low, high):
    assert clean_scoring_settings({name: low}) == ({name: float(low)}, {})
    assert clean_scoring_settings({name: high}) == ({name: float(high)}, {})
    message = f"Must be from {low:g} to {high:g}."
    assert clean_scoring_settings({name: low - 0.01}) == ({}, {name: [message]})
    assert clean_scoring_settings({name: high + 0.01}) == ({}, {name: [message]})


@pytest.mark.parametrize("value", [True, False, "5", None, [5], float("nan"), float("inf")])
def test_a_value_that_is_no_finite_number_is_refused(value):
    assert clean_scoring_settings({"saturation": value}) == (
        {}, {"saturation": ["Must be a number."]},
    )  # fmt: skip


def test_event_weights_are_accepted_from_0_to_1000_and_given_as_floats():
    fields, errors = clean_scoring_settings(
        {"engagement_weights": {"webinar": 0, "meeting": 1000, "call": 2.5}, "fit_weight": 1}
    )
    assert errors == {}
    assert fields == {
        "engagement_weights": {"webinar": 0.0, "meeting": 1000.0, "call": 2.5},
        "fit_weight": 1.0,
    }
    assert type(fields["engagement_weights"]["webinar"]) is float


def test_each_bad_event_weight_gets_its_own_message():
    _, errors = clean_scoring_settings(
        {"engagement_weights": {"telepathy": 3, "webinar": 1000.5, "smoke": 1, "call": "x"}}
    )
    unknown = [f"Unknown event type; use one of {EVENT_TYPES}."]
    assert errors == {
        "engagement_weights.telepathy": unknown,
        "engagement_weights.webinar": ["Must be from 0 to 1000."],
        "engagement_weights.smoke": unknown,
        "engagement_weights.call": ["Must be a number."],
    }


def test_any_error_returns_no_fields():
    assert clean_scoring_settings({"fit_weight": 1, "saturation": 0}) == (
        {}, {"saturation": ["Must be from 1 to 10000."]},
    )  # fmt: skip


@pytest.mark.parametrize(
    ("data", "errors"),
    [
        ([{"fit_weight": 1}], {"non_field_errors": ["Send a JSON object."]}),
        ({"score": 100, "fit_weight": 1}, {"score": ["Unknown or read-only field."]}),
        (
            {"engagement_weights": [["webinar", 5]]},
            {"engagement_weights": ["Send an object of event type to points."]},
        ),
    ],
)
def test_a_body_of_the_wrong_shape_is_refused_with_the_reason(data, errors):
    assert clean_scoring_settings(data) == ({}, errors)


# --- the service: who may change the settings, what a change writes ------------------------


@pytest.fixture
def act(tenant, member):
    """act(role) -> an Actor: a new member of the tenant with that role."""
    return lambda role: Actor.member(member(tenant, role), role)


def settings_audit(tenant):
    return list(AuditEntry.all_tenants.filter(tenant=tenant, action="scoring.settings_changed"))


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.MARKETER, Role.SALES_REP])
def test_only_leaders_change_the_settings_and_others_are_told_so(tenant, act, role):
    with tenant_scope(tenant), pytest.raises(Forbidden) as refused:
        scoring_settings_update(tenant=tenant, actor=act(role), data={"fit_weight": 1})
    assert refused.value.detail == "Only managers and admins change the scoring settings."
    assert refused.value.code == "permission_denied"
    assert not ScoringSettings.all_tenants.exists()


@pytest.mark.django_db
def test_the_service_refuses_bad_fields_with_their_messages(tenant, act):
    with tenant_scope(tenant), pytest.raises(InvalidPersonaData) as refused:
        scoring_settings_update(tenant=tenant, actor=act(Role.MANAGER),
                                data={"score": 1, "saturation": 0})  # fmt: skip
    assert refused.value.errors == {
        "score": ["Unknown or read-only field."], "saturation": ["Must be from 1 to 10000."],
    }  # fmt: skip
    assert not ScoringSettings.all_tenants.exists()


@pytest.mark.django_db
def test_a_blend_that_weighs_nothing_is_refused_with_the_reason(tenant, act):
    with tenant_scope(tenant), pytest.raises(InvalidPersonaData) as refused:
        scoring_settings_update(tenant=tenant, actor=act(Role.ADMIN),
                                data={"fit_weight": 0, "engagement_weight": 0})  # fmt: skip
    assert refused.value.errors == {
        "non_field_errors": ["Score weights must be at least 0 and not both 0."]
    }
    assert not ScoringSettings.all_tenants.exists()
    assert not RescoreJob.all_tenants.exists()


@pytest.mark.django_db
def test_a_blend_change_is_stored_audited_and_rescores_without_recounting(tenant, act):
    manager = act(Role.MANAGER)
    with tenant_scope(tenant):
        row, job = scoring_settings_update(tenant=tenant, actor=manager,
                                           data={"fit_weight": 1})  # fmt: skip
    stored = ScoringSettings.all_tenants.get(tenant=tenant)
    assert stored.pk == row.pk
    assert (stored.fit_weight, stored.engagement_weight, stored.half_life_days) == (1, 0.4, 14)
    assert stored.engagement_weights == dict(EngagementConfig.default().weights)
    assert stored.updated_by == manager.user
    [entry] = settings_audit(tenant)
    assert (entry.actor_id, entry.target_type, entry.target_id) == (
        manager.user.pk, "scoringsettings", str(row.pk),
    )  # fmt: skip
    assert entry.changes == {"fit_weight": [0.6, 1.0]}
    assert (job.reason, job.recompute_engagement, job.requested_by) == (
        "Scoring settings changed", False, manager.user,
    )  # fmt: skip
    assert RescoreJob.all_tenants.get().pk == job.pk


@pytest.mark.django_db
@pytest.mark.parametrize(
    "data", [{"half_life_days": 7}, {"engagement_weights": {"webinar": 30}}], ids=str
)
def test_an_engagement_change_recounts_engagement(tenant, act, data):
    with tenant_scope(tenant):
        _, job = scoring_settings_update(tenant=tenant, actor=act(Role.ADMIN), data=data)
    assert job.recompute_engagement is True


@pytest.mark.django_db
def test_event_weights_change_only_the_types_named(tenant, act):
    with tenant_scope(tenant):
        scoring_settings_update(tenant=tenant, actor=act(Role.ADMIN),
                                data={"engagement_weights": {"webinar": 30}})  # fmt: skip
    defaults = dict(EngagementConfig.default().weights)
    assert ScoringSettings.all_tenants.get().engagement_weights == {**defaults, "webinar": 30}
    [entry] = settings_audit(tenant)
    assert entry.changes == {"engagement_weights": [defaults, {**defaults, "webinar": 30.0}]}


@pytest.mark.django_db
def test_settings_unchanged_write_no_audit_and_queue_no_rescore(tenant, act):
    manager = act(Role.MANAGER)
    with tenant_scope(tenant):
        row, job = scoring_settings_update(tenant=tenant, actor=manager,
                                           data={"fit_weight": 0.6})  # fmt: skip
    assert job is None
    assert settings_audit(tenant) == []
    assert not RescoreJob.all_tenants.exists()
    stored = ScoringSettings.all_tenants.get(tenant=tenant)  # the defaults, now written down
    assert (stored.pk, stored.fit_weight, stored.updated_by) == (row.pk, 0.6, manager.user)


@pytest.mark.django_db
def test_a_change_starts_from_the_tenants_stored_settings(tenant, other_tenant, act):
    ScoringSettingsFactory(tenant=tenant, fit_weight=0.8, half_life_days=30.0)
    ScoringSettingsFactory(tenant=other_tenant, fit_weight=0.1)
    with tenant_scope(tenant):
        scoring_settings_update(tenant=tenant, actor=act(Role.MANAGER),
                                data={"half_life_days": 7})  # fmt: skip
    stored = ScoringSettings.all_tenants.get(tenant=tenant)
    assert (stored.fit_weight, stored.half_life_days) == (0.8, 7)
    [entry] = settings_audit(tenant)
    assert entry.changes == {"half_life_days": [30.0, 7.0]}
