"""What a process keeps under a Redis token (smarketing/tenancy/kept.py): the token's rules,
the age and size limits, and what happens while Redis is away."""

from __future__ import annotations

import logging

import pytest

from smarketing.tenancy import kept
from smarketing.tenancy.kept import MISSING, KeptPerProcess
from tests.tenancy.fake_redis import AwayRedis, FakeRedis


@pytest.fixture
def redis_client(monkeypatch, settings):
    client = FakeRedis()
    settings.TEST_STORE_ON = True
    monkeypatch.setattr(kept, "shared_redis", lambda: client)
    return client


@pytest.fixture
def clock(monkeypatch):
    now = [1000.0]
    monkeypatch.setattr(kept.time, "monotonic", lambda: now[0])
    return now


def _store(**limits) -> KeptPerProcess:
    return KeptPerProcess(
        token_key="test:generation", enabled_setting="TEST_STORE_ON", what="Test answers", **limits
    )


def test_the_first_use_makes_a_token_that_stays_until_replaced(redis_client):
    store = _store()
    token = store.current_token()
    assert isinstance(token, str) and len(token) == 32
    assert redis_client.values["test:generation"] == token.encode()
    assert store.current_token() == token
    store.replace_token()
    replaced = store.current_token()
    assert replaced != token and len(replaced) == 32


def test_nothing_is_kept_without_redis_or_with_the_setting_off(redis_client, monkeypatch, settings):
    store = _store()
    settings.TEST_STORE_ON = False
    assert store.current_token() is None
    settings.TEST_STORE_ON = True
    monkeypatch.setattr(kept, "shared_redis", lambda: None)
    assert store.current_token() is None
    store.replace_token()  # nothing to replace, and no error
    monkeypatch.setattr(kept, "shared_redis", lambda: AwayRedis())
    assert store.current_token() is None


def test_a_token_replacement_that_cannot_reach_redis_is_logged(monkeypatch, caplog):
    monkeypatch.setattr(kept, "shared_redis", lambda: AwayRedis())
    store = _store()
    store.put("k", "t", "answer")
    with caplog.at_level(logging.WARNING, logger="smarketing.tenancy.kept"):
        store.replace_token()
    assert store.get("k", "t") is MISSING  # this process forgets at once all the same
    assert [r.getMessage() for r in caplog.records] == [
        "Test answers not invalidated, Redis unavailable: Redis is away"
    ]
    assert caplog.records[0].levelno == logging.WARNING


def test_an_answer_is_kept_under_its_token_only(redis_client, clock):
    store = _store()
    store.put("k", None, "unkept")
    assert store.get("k", None) is MISSING
    assert store._entries == {}
    store.put("k", "t1", {"role": "admin"})
    assert store.get("k", "t1") == {"role": "admin"}
    assert store.get("k", "t2") is MISSING
    assert store.get("other", "t1") is MISSING
    assert store.get("k", None) is MISSING


def test_each_caller_gets_its_own_copy(redis_client, clock):
    store = _store()
    store.put("k", "t", {"seen": []})
    first = store.get("k", "t")
    first["seen"].append("changed by one request")
    assert store.get("k", "t") == {"seen": []}


def test_an_answer_expires_after_its_age(redis_client, clock):
    store = _store(max_age_seconds=10.0)
    store.put("k", "t", "answer")
    clock[0] += 10.0
    assert store.get("k", "t") == "answer"  # exactly the age: still good
    clock[0] += 0.001
    assert store.get("k", "t") is MISSING


def test_the_default_age_is_five_minutes(redis_client, clock):
    store = _store()
    store.put("k", "t", "answer")
    clock[0] += 300.0
    assert store.get("k", "t") == "answer"
    clock[0] += 0.5
    assert store.get("k", "t") is MISSING


def test_a_full_store_starts_again_empty(redis_client, clock):
    store = _store(max_entries=2)
    store.put("a", "t", 1)
    store.put("b", "t", 2)
    assert (store.get("a", "t"), store.get("b", "t")) == (1, 2)
    store.put("c", "t", 3)
    assert store.get("a", "t") is MISSING and store.get("b", "t") is MISSING
    assert store.get("c", "t") == 3


def test_the_default_size_is_ten_thousand_answers(redis_client, clock):
    store = _store()
    for n in range(10_000):
        store.put(n, "t", n)
    assert store.get(0, "t") == 0
    store.put("one more", "t", 1)
    assert store.get(0, "t") is MISSING and len(store._entries) == 1


def test_forgetting_drops_this_processes_answers(redis_client, clock):
    store = _store()
    store.put("k", "t", 1)
    store.forget_all()
    assert store.get("k", "t") is MISSING


def test_a_process_that_loses_the_race_for_the_first_token_takes_the_winners(monkeypatch, settings):
    class Raced(FakeRedis):
        """Another process sets the token between this one's GET and SET."""

        def __init__(self):
            super().__init__()
            self.gets = 0

        def get(self, key):
            self.gets += 1
            if self.gets == 1:
                self.values[key] = b"winner"
                return None
            return super().get(key)

    client = Raced()
    settings.TEST_STORE_ON = True
    monkeypatch.setattr(kept, "shared_redis", lambda: client)
    assert _store().current_token() == "winner"
    assert client.values["test:generation"] == b"winner"
