import pytest
from django.test import Client

from smarketing import health

pytestmark = pytest.mark.django_db


def test_healthz_is_503_with_the_failing_part_named_when_no_worker_answers(monkeypatch):
    monkeypatch.setattr(health.app.control, "ping", lambda timeout: [])
    response = Client().get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["database"]["ok"] is True
    assert body["workers"] == {"ok": False, "count": 0, "names": []}


def test_healthz_is_200_when_database_broker_and_a_worker_answer(monkeypatch):
    monkeypatch.setattr(health.app.control, "ping", lambda timeout: [{"celery@w1": {"ok": "pong"}}])
    monkeypatch.setattr(health, "_broker", lambda: {"ok": True})
    response = Client().get("/healthz")
    assert response.status_code == 200
    assert response.json()["workers"]["names"] == ["celery@w1"]
