"""Kept tenant configuration by its rules: one load per tenant and token, nothing kept inside a
transaction that changed it, and every kind of write to a watched model counts as a change
(smarketing/tenancy/configuration.py)."""

from __future__ import annotations

import pytest
from django.db import connection

from personas.models import ScoringSettings
from smarketing.tenancy import configuration, kept
from smarketing.tenancy.configuration import (
    TokenReplacement,
    _changed_here,
    configuration_changed,
    kept_for_tenant,
)
from smarketing.tenancy.scope import tenant_scope
from tests.tenancy.fake_redis import FakeRedis
from tests.tenancy.kept import configuration_committed

pytestmark = pytest.mark.django_db


@pytest.fixture
def redis_client(monkeypatch, settings):
    settings.CONFIGURATION_KEPT_PER_WORKER = True
    client = FakeRedis()
    monkeypatch.setattr(kept, "shared_redis", lambda: client)
    configuration.forget_all()
    configuration_committed()
    yield client
    configuration.forget_all()


def _replacements() -> int:
    return sum(isinstance(cb, TokenReplacement) for _, cb, _ in connection.run_on_commit)


class Loads:
    def __init__(self, answer):
        self.answer, self.calls = answer, 0

    def __call__(self):
        self.calls += 1
        return self.answer


def test_an_answer_is_loaded_once_per_tenant_and_what(redis_client):
    load = Loads({"weights": [1, 2]})
    assert kept_for_tenant("w", tenant_id=1, load=load) == {"weights": [1, 2]}
    assert kept_for_tenant("w", tenant_id=1, load=load) == {"weights": [1, 2]}
    assert load.calls == 1
    kept_for_tenant("w", tenant_id=2, load=load)
    kept_for_tenant("other", tenant_id=1, load=load)
    assert load.calls == 3


def test_a_transaction_that_changed_the_configuration_reads_its_own_change(redis_client):
    load = Loads("answer")
    kept_for_tenant("w", tenant_id=1, load=load)
    configuration_changed()
    assert _changed_here()
    kept_for_tenant("w", tenant_id=1, load=load)
    kept_for_tenant("w", tenant_id=1, load=Loads("not kept"))
    assert load.calls == 2
    configuration_committed()  # the commit replaces the token: every answer is stale
    assert not _changed_here()
    fresh = Loads("fresh")
    assert kept_for_tenant("w", tenant_id=1, load=fresh) == "fresh"
    assert kept_for_tenant("w", tenant_id=1, load=fresh) == "fresh" and fresh.calls == 1


def test_one_token_replacement_per_transaction_that_replaces_the_token(redis_client):
    token = redis_client.values.get("configuration:generation")
    configuration_changed()
    configuration_changed()
    assert _replacements() == 1
    (replacement,) = [
        cb for _, cb, _ in connection.run_on_commit if isinstance(cb, TokenReplacement)
    ]
    assert replacement.done is False
    replacement()
    assert replacement.done is True and not _changed_here()
    assert redis_client.values["configuration:generation"] != token


def _settings(tenant) -> ScoringSettings:
    return ScoringSettings(
        tenant=tenant, half_life_days=7, saturation=50, fit_weight=0.5, engagement_weight=0.5
    )


@pytest.mark.parametrize(
    "write",
    [
        lambda tenant, row: ScoringSettings.objects.filter(pk=row.pk).update(saturation=60),
        lambda tenant, row: ScoringSettings.objects.filter(pk=row.pk).delete(),
        lambda tenant, row: ScoringSettings.objects.filter(pk=row.pk)._raw_delete("default"),
        lambda tenant, row: ScoringSettings.all_tenants.filter(pk=row.pk).update(saturation=1),
        lambda tenant, row: ScoringSettings.objects.bulk_update([row], ["saturation"]),
        lambda tenant, row: row.save(update_fields=["saturation"]),
        lambda tenant, row: row.delete(),
    ],
    ids=[
        "update",
        "delete",
        "raw delete",
        "update across tenants",
        "bulk update",
        "save",
        "delete a row",
    ],
)
def test_every_write_to_a_watched_model_is_a_change(tenant, redis_client, write):
    with tenant_scope(tenant):
        ScoringSettings.objects.all().delete()
        row = _settings(tenant)
        row.save()
        configuration_committed()
        assert not _changed_here()
        write(tenant, row)
    assert _changed_here()


def test_a_bulk_insert_is_a_change(tenant, redis_client):
    with tenant_scope(tenant):
        ScoringSettings.objects.all().delete()
        configuration_committed()
        ScoringSettings.objects.bulk_create([_settings(tenant)])
    assert _changed_here()
