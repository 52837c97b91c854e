"""GET /healthz: status for everyone, detail for staff and monitoring, an answer within 1 s."""

import time

import pytest
from django.test import Client
from django.urls import resolve

from smarketing import health
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PROBE_TIMEOUT_SECONDS = 1.0


def workers_answer(monkeypatch, *names):
    calls = []

    def ping(timeout, limit=None):
        calls.append({"timeout": timeout, "limit": limit})
        return [{name: {"ok": "pong"}} for name in names]

    monkeypatch.setattr(health.app.control, "ping", ping)
    monkeypatch.setattr(health, "_broker", lambda: {"ok": True})
    return calls


def test_anonymous_callers_get_only_the_status_when_no_worker_answers(monkeypatch):
    monkeypatch.setattr(health.app.control, "ping", lambda timeout, limit=None: [])
    monkeypatch.setattr(
        health, "_broker", lambda: {"ok": False, "error": "Error 111 connecting to redis:6379"}
    )
    response = Client().get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable"}


def test_anonymous_callers_get_only_the_status_when_all_is_up(monkeypatch):
    workers_answer(monkeypatch, "celery@worker-7f9c")
    response = Client().get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert b"worker-7f9c" not in response.content


def test_staff_see_the_parts_worker_names_and_errors(monkeypatch):
    workers_answer(monkeypatch, "celery@w1")
    client = Client()
    client.force_login(UserFactory(is_staff=True))
    body = client.get("/healthz").json()
    assert body["status"] == "ok"
    assert body["database"] == {"ok": True}
    assert body["workers"] == {"ok": True, "count": 1, "names": ["celery@w1"]}


def test_a_signed_in_member_who_is_not_staff_gets_only_the_status(monkeypatch):
    workers_answer(monkeypatch, "celery@w1")
    client = Client()
    client.force_login(UserFactory(is_staff=False))
    assert client.get("/healthz").json() == {"status": "ok"}


def test_monitoring_with_the_configured_token_sees_the_detail(monkeypatch, settings):
    settings.HEALTHZ_TOKEN = "s3cret-probe-token"
    monkeypatch.setattr(health.app.control, "ping", lambda timeout, limit=None: [])
    monkeypatch.setattr(health, "_broker", lambda: {"ok": True})
    seen = Client().get("/healthz", HTTP_AUTHORIZATION="Bearer s3cret-probe-token")
    assert seen.status_code == 503
    assert seen.json()["workers"] == {"ok": False, "count": 0, "names": []}
    wrong = Client().get("/healthz", HTTP_AUTHORIZATION="Bearer guess")
    assert wrong.json() == {"status": "unavailable"}


def test_no_token_configured_means_no_bearer_gets_detail(monkeypatch, settings):
    settings.HEALTHZ_TOKEN = ""
    workers_answer(monkeypatch, "celery@w1")
    assert Client().get("/healthz", HTTP_AUTHORIZATION="Bearer ").json() == {"status": "ok"}


def test_the_worker_ping_stops_at_the_first_reply_within_the_budget(monkeypatch):
    calls = workers_answer(monkeypatch, "celery@w1")
    Client().get("/healthz")
    [call] = calls
    assert call["limit"] == 1
    assert 0 < call["timeout"] <= health.BUDGET_SECONDS


def test_healthz_answers_within_a_probe_timeout_when_no_worker_ever_answers(settings):
    # The real broker of this run (embedded folders, or Redis in CI) with no worker consuming
    # it: the ping hears nothing and must give up in time. (The URL conf is loaded first: a
    # process's first request imports every view, which no probe after it pays.)
    resolve("/healthz")
    started = time.monotonic()
    response = Client().get("/healthz")
    elapsed = time.monotonic() - started
    assert response.status_code == 503
    assert elapsed < PROBE_TIMEOUT_SECONDS, f"/healthz took {elapsed:.2f} s"
