"""Web workers keep what an API key stands for; a change reaches every one of them at once.

Two gunicorn servers (one worker each, so each request's process is known) share the test
database and Redis, as the workers of a deployment do. Each serves the key until it keeps
it, then the change is made here, in another process: the very next request to each server
must see it.
"""

from __future__ import annotations

import http.client
import json
import os
import subprocess
import sys
import tempfile
from contextlib import ExitStack, contextmanager
from pathlib import Path

import pytest
from django.db import connection

from smarketing.tenancy.actors import Actor
from smarketing.tenancy.members.services import member_update
from smarketing.tenancy.models import Membership
from smarketing.tenancy.roles import Role
from smarketing.tenancy.scope import tenant_scope
from smarketing.tenancy.services import api_key_revoke
from tests.factories import ApiKeyFactory, MembershipFactory
from tests.webhooks.stack import ROOT, free_port, url_for_database, wait_for_port

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
]


@contextmanager
def _server(database: str, var_dir: str):
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database,
        "DJANGO_SETTINGS_MODULE": "smarketing.settings",
        "DEBUG": "0",
        "SECRET_KEY": "credentials-test-secret-key-0123456789abcdef",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "API_RATE_PER_KEY": "1000000/min",
        "API_RATE_PER_TENANT": "1000000/min",
        "LOG_LEVEL": "WARNING",
        "SMARKETING_VAR_DIR": var_dir,
    }
    for name in ("SMARKETING_TESTING", "CELERY_TASK_ALWAYS_EAGER"):
        env.pop(name, None)
    log = open(Path(var_dir) / f"gunicorn-{port}.log", "wb")  # noqa: SIM115  (closed below)
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "smarketing.wsgi:application",
         "--bind", f"127.0.0.1:{port}", "--workers", "1", "--log-level", "warning"],
        cwd=ROOT, env=env, stdout=log, stderr=log,
    )  # fmt: skip
    try:
        wait_for_port(port, timeout=60)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()


@pytest.fixture
def workers():
    database = url_for_database(os.environ["DATABASE_URL"], connection.settings_dict["NAME"])
    with tempfile.TemporaryDirectory(prefix="smk-credentials-") as var_dir, ExitStack() as stack:
        yield [stack.enter_context(_server(database, var_dir)) for _ in range(2)]


def _call(port: int, key: str, method: str = "GET", path: str = "/api/v1/me/", body=None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
    conn.request(method, path, body=json.dumps(body) if body else None, headers=headers)
    response = conn.getresponse()
    payload = response.read()
    conn.close()
    return response.status, json.loads(payload) if payload else None


def _served_twice_by_each(workers: list[int], key: str) -> None:
    """Each worker has resolved the key, and answered once more from what it kept."""
    for port in workers:
        for _ in range(2):
            assert _call(port, key)[0] == 200


def test_a_revoked_key_is_refused_by_every_worker_on_the_next_request(tenant, workers):
    issued = ApiKeyFactory.issue(tenant=tenant)
    _served_twice_by_each(workers, issued.raw_key)

    api_key_revoke(api_key=issued.api_key)

    assert [_call(port, issued.raw_key)[0] for port in workers] == [401, 401]


def test_a_deactivated_member_is_refused_by_every_worker_on_the_next_request(tenant, workers):
    admin = MembershipFactory(tenant=tenant, role=Role.ADMIN).user
    member = MembershipFactory(tenant=tenant, role=Role.MARKETER)
    issued = ApiKeyFactory.issue(tenant=tenant, user=member.user)
    _served_twice_by_each(workers, issued.raw_key)

    with tenant_scope(tenant):
        member_update(membership=member, actor=Actor.member(admin, Role.ADMIN),
                      data={"is_active": False})  # fmt: skip

    assert [_call(port, issued.raw_key)[0] for port in workers] == [401, 401]


def test_a_changed_role_applies_on_every_worker_on_the_next_request(tenant, workers):
    admin = MembershipFactory(tenant=tenant, role=Role.ADMIN).user
    member = MembershipFactory(tenant=tenant, role=Role.MARKETER)
    issued = ApiKeyFactory.issue(tenant=tenant, user=member.user)
    _served_twice_by_each(workers, issued.raw_key)
    assert {_call(port, issued.raw_key)[1]["role"] for port in workers} == {Role.MARKETER}

    with tenant_scope(tenant):
        member_update(membership=member, actor=Actor.member(admin, Role.ADMIN),
                      data={"role": Role.SALES_REP})  # fmt: skip

    new_lead = {"email": "after-demotion@example.com"}
    answers = [_call(port, issued.raw_key, "POST", "/api/v1/leads/", new_lead) for port in workers]
    assert [status for status, _ in answers] == [403, 403]
    assert {_call(port, issued.raw_key)[1]["role"] for port in workers} == {Role.SALES_REP}
    with tenant_scope(tenant):
        assert Membership.objects.get(pk=member.pk).role == Role.SALES_REP
