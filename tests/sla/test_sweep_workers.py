"""Exactly once with real Celery workers, real Redis and real PostgreSQL.

The workers are `celery -A smarketing worker` processes on the test database, connecting as
the application role (row-level security binds them as in deployment). Sweeps are sent to
the broker and held open a little per batch, so that two of them overlap, or so that a
worker can be killed with SIGKILL in the middle of one.
"""

from __future__ import annotations

import ast
import os
import re
import signal
import subprocess
import sys
import time
import warnings
from dataclasses import dataclass
from pathlib import Path

import pytest
from celery.exceptions import AlwaysEagerIgnored
from django.conf import settings
from django.db import connection
from django.utils import timezone

from bench.sla_data import add_obligations, copy_leads
from leads.models import Stage
from sla.models import Breach, Obligation
from smarketing.celery import app
from smarketing.events.models import OutboxEvent
from tests.leads.factories import LeadFactory

pytestmark = [
    pytest.mark.celery_worker,
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.django_db(transaction=True),
]

ROOT = Path(__file__).resolve().parents[2]
DUE = 600
SUCCEEDED = re.compile(r"Task sla\.sweep\[[^\]]+\] succeeded in [\d.]+s: (\{.*\})")


@dataclass
class Worker:
    process: subprocess.Popen
    log: Path

    def text(self) -> str:
        return self.log.read_text() if self.log.exists() else ""

    def sweeps(self) -> list[dict]:
        return [ast.literal_eval(match) for match in SUCCEEDED.findall(self.text())]

    def kill(self) -> None:
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)


def wait_for(condition, *, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def worker_database_url() -> str:
    db = connection.settings_dict
    return (
        f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST'] or '127.0.0.1'}:"
        f"{db['PORT'] or 5432}/{db['NAME']}"
    )


@pytest.fixture
def broker():
    """The test's Redis database, emptied before and after: no message outlives the test."""
    import redis

    client = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    client.flushdb()
    yield client
    client.flushdb()


@pytest.fixture
def start_worker(tmp_path, broker):
    started: list[Worker] = []
    env = {
        **os.environ,
        "DATABASE_URL": worker_database_url(),
        "REDIS_URL": os.environ["REDIS_URL"],
        "DJANGO_SETTINGS_MODULE": "smarketing.settings",
        "SMARKETING_TESTING": "1",
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "LOG_LEVEL": "INFO",
    }

    def start(name: str) -> Worker:
        log = tmp_path / f"{name}.log"
        process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "smarketing", "worker", "--pool", "prefork",
             "--concurrency", "1", "--hostname", f"{name}@%h", "--without-gossip",
             "--without-mingle", "--loglevel", "INFO", "--logfile", str(log)],
            cwd=ROOT, env=env, start_new_session=True,
            stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT,
        )  # fmt: skip
        worker = Worker(process, log)
        started.append(worker)
        wait_for(lambda: "ready." in worker.text() or process.poll() is not None,
                 timeout=90, what=f"worker {name} to start")  # fmt: skip
        assert process.poll() is None, worker.text()[-3000:]
        return worker

    yield start
    for worker in started:
        if worker.process.poll() is None:
            worker.kill()


@pytest.fixture
def due_obligations(tenant, active_sla):
    version = active_sla()
    template = LeadFactory(tenant=tenant, stage=Stage.SQL, email="template@bench.example")
    copy_leads(template=template, count=DUE, prefix="w")
    add_obligations(tenant_id=tenant.pk, version_id=version.pk, prefix="w", due=DUE,
                    pending=DUE, now=timezone.now())  # fmt: skip
    return DUE


def send_sweep(**options) -> None:
    # send_task goes through the broker even where tests run tasks eagerly.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", AlwaysEagerIgnored)
        app.send_task("sla.sweep", kwargs=options)


def assert_each_breach_once(expected: int) -> None:
    breached = set(Obligation.all_tenants.filter(status="breached").values_list("id", flat=True))
    breaches = list(Breach.all_tenants.values_list("obligation_id", flat=True))
    events = [
        e.data["obligation"] for e in OutboxEvent.all_tenants.filter(event_type="sla.breached")
    ]
    assert len(breached) == expected
    assert sorted(breaches) == sorted(events) == sorted(breached)


def test_two_workers_running_two_sweeps_at_once_breach_each_obligation_once(
    due_obligations, start_worker
):
    workers = [start_worker("one"), start_worker("two")]
    send_sweep(batch_size=20, batch_pause_seconds=0.05)
    send_sweep(batch_size=20, batch_pause_seconds=0.05)
    wait_for(lambda: sum(len(w.sweeps()) for w in workers) == 2, timeout=120,
             what="both sweeps to finish")  # fmt: skip
    assert_each_breach_once(due_obligations)
    counts = [sweep["breached"] for worker in workers for sweep in worker.sweeps()]
    assert sum(counts) == due_obligations
    assert all(count > 0 for count in counts), f"the sweeps did not run side by side: {counts}"


def test_a_worker_killed_mid_sweep_leaves_nothing_half_done_and_a_rerun_completes_it(
    due_obligations, start_worker
):
    doomed = start_worker("doomed")
    send_sweep(batch_size=20, batch_pause_seconds=0.3)
    wait_for(lambda: Breach.all_tenants.count() >= 60, timeout=120,
             what="the sweep to commit a few batches")  # fmt: skip
    doomed.kill()
    assert doomed.sweeps() == []  # it died mid-sweep
    done = Obligation.all_tenants.filter(status="breached").count()
    assert 60 <= done < due_obligations
    assert_each_breach_once(done)  # the batch it was in rolled back whole

    survivor = start_worker("survivor")
    send_sweep()
    wait_for(lambda: len(survivor.sweeps()) == 1, timeout=120, what="the second sweep")
    assert survivor.sweeps()[0]["breached"] == due_obligations - done
    assert_each_breach_once(due_obligations)
