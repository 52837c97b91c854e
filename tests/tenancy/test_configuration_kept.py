"""What a tenant scores and qualifies leads with is kept per process, under a token in Redis
that any change replaces when it commits (smarketing/tenancy/configuration.py)."""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from personas.models import PersonaVersion, ScoringSettings
from personas.services import scoring_context_for
from sla import selectors as sla_selectors
from sla.models import SlaStatus, SlaVersion
from smarketing.tenancy import configuration, kept
from smarketing.tenancy.scope import tenant_scope
from tests.personas.helpers import approved_persona
from tests.sla.factories import SlaVersionFactory
from tests.tenancy.kept import configuration_committed

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.django_db]

CRITERIA = [{"field": "country", "operator": "equals", "value": "IT", "weight": 100}]


@pytest.fixture(autouse=True)
def _kept(settings):
    settings.CONFIGURATION_KEPT_PER_WORKER = True
    configuration.forget_all()
    yield
    configuration.forget_all()


def _personas(tenant) -> tuple[tuple[str, ...], int]:
    """(the fields the tenant scores on, queries it took to know)."""
    with tenant_scope(tenant), CaptureQueriesContext(connection) as captured:
        fields = scoring_context_for(tenant_id=tenant.pk).personas.fields
    return fields, len(captured.captured_queries)


def _thresholds(tenant) -> tuple[tuple, int]:
    with tenant_scope(tenant), CaptureQueriesContext(connection) as captured:
        thresholds = sla_selectors.thresholds_in_force()
    return thresholds, len(captured.captured_queries)


def test_scoring_inputs_are_read_once_then_kept(tenant):
    configuration_committed()
    assert _personas(tenant) == ((), 1)
    assert _personas(tenant) == ((), 0)


def test_a_persona_approved_is_seen_at_once_by_its_transaction_and_by_all_after_commit(tenant):
    configuration_committed()
    _personas(tenant)
    with tenant_scope(tenant):
        approved_persona(tenant, criteria=CRITERIA)

    # Not committed yet: the token still stands, so the changing transaction reads.
    assert _personas(tenant) == (("country",), 1)
    assert _personas(tenant) == (("country",), 1)
    configuration_committed()
    assert _personas(tenant) == (("country",), 1)
    assert _personas(tenant) == (("country",), 0)


def test_set_based_writes_of_watched_models_count_as_changes(tenant):
    with tenant_scope(tenant):
        version = SlaVersionFactory(tenant=tenant, active=True, mql_threshold=40)
    configuration_committed()
    assert _thresholds(tenant) == ((40, None), 1)

    with tenant_scope(tenant):
        SlaVersion.objects.filter(pk=version.pk).update(status=SlaStatus.RETIRED)
    configuration_committed()
    assert _thresholds(tenant) == ((None, None), 1)

    with tenant_scope(tenant):
        ScoringSettings.objects.bulk_create(
            [ScoringSettings(tenant=tenant, half_life_days=7, saturation=50, fit_weight=0.5,
                             engagement_weight=0.5)]
        )  # fmt: skip
    configuration_committed()
    assert _personas(tenant)[1] == 1


def test_a_change_rolled_back_leaves_the_kept_answer_standing(tenant):
    configuration_committed()
    _personas(tenant)
    with tenant_scope(tenant):
        approved = approved_persona(tenant, criteria=CRITERIA)
    configuration_committed()
    assert _personas(tenant) == (("country",), 1)

    with tenant_scope(tenant):
        try:
            with transaction.atomic():
                PersonaVersion.objects.filter(persona=approved).delete()
                raise RuntimeError("the change fails")
        except RuntimeError:
            pass

    assert _personas(tenant) == (("country",), 0)


def test_without_redis_nothing_is_kept(tenant, monkeypatch):
    monkeypatch.setattr(kept, "shared_redis", lambda: None)
    configuration_committed()

    assert [_personas(tenant)[1] for _ in range(2)] == [1, 1]
