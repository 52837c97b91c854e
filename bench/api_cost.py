"""What one API request costs: CPU time summed over every process that serves it, SQL queries.

The stack of a deployment on one machine: gunicorn (2 sync workers) on loopback, PostgreSQL,
Redis (cache, rate-limit meters, broker) and a real Celery worker (solo pool) relaying the
outbox. Per endpoint, 4 client processes send requests back to back (a bounded load: never
more than 4 requests in flight) for a fixed time, and the benchmark reads from /proc, before
and after, the CPU time (user + system) of:

- the gunicorn master and its workers,
- the PostgreSQL backends connected to the benchmark's database (client backends only),
- the Celery worker; the measure ends only once the outbox is relayed, so the relay's work
  for the measured requests is counted,
- the Redis server (`INFO cpu`); a Redis shared with other work counts that work too, so its
  rate while idle is printed beside it (`redis_idle_cpu_ms_per_s`).

CPU per request is the sum divided by the requests answered. The clients' own CPU is not
counted. SQL queries per request are counted in this process, on the same database and
code, by sending one more request of each kind through Django's test client under
`CaptureQueriesContext` (BEGIN and COMMIT count as queries, as Django records them).

Endpoints: a new lead (`POST /api/v1/leads/`), a merge into an existing lead (same, an
address the tenant has, a changed field), the lead list at page sizes 10 and 50, the sales
rep's queue, and `GET /api/v1/me/` (authentication and tenant resolution only: the floor).
The tenant has one approved persona, so new and merged leads are scored.

Usage: DATABASE_URL=postgres://user:pw@127.0.0.1:5432/x REDIS_URL=redis://127.0.0.1:6379/N \
       python bench/api_cost.py [--database NAME] [--seconds S] [--only NAME ...]
The database NAME (default smk_bench_api_cost) is dropped, created and migrated; the server
must run on this machine (its processes are read from /proc). Prints one JSON object.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import statistics
import subprocess
import sys
import time
import uuid
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg2
import redis

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from _stack import PYTHON, ROOT, gunicorn, manage, prepare

CLIENTS = 4
WORKERS = 2
SEED_LEADS = 2_000
QUEUE_SQLS = 300
TICKS = os.sysconf("SC_CLK_TCK")

PERSONA = [
    {"field": "industry", "operator": "in", "value": ["manufacturing", "logistics"], "weight": 40},
    {"field": "company_size", "operator": "range", "value": [50, 500], "weight": 30},
    {"field": "title", "operator": "contains_any", "value": ["operations", "coo"], "weight": 20},
    {"field": "country", "operator": "equals", "value": "IT", "weight": 10},
]  # fmt: skip


def _lead_body(email: str, first_name: str = "Ada") -> str:
    return json.dumps({
        "email": email, "first_name": first_name, "last_name": "Lovelace",
        "company": "Analytical Engines", "title": "Head of Operations",
        "industry": "manufacturing", "company_size": 120, "country": "IT",
    })  # fmt: skip


# --- what each endpoint sends -------------------------------------------------------------
def request_for(endpoint: str, tag: str, n: int) -> tuple[str, str, str | None]:
    if endpoint == "lead_post_new":
        return "POST", "/api/v1/leads/", _lead_body(f"{tag}-{n}-{uuid.uuid4().hex[:8]}@new.example")
    if endpoint == "lead_post_merge":
        # An address the tenant has, with a first name that differs from the last one sent,
        # so every request merges a change (a transition, a re-score, the match keys).
        index = (n * 7 + hash(tag)) % SEED_LEADS
        return "POST", "/api/v1/leads/", _lead_body(f"lead{index}@bench.example", f"Ada {tag}{n}")
    if endpoint == "lead_list_10":
        return "GET", "/api/v1/leads/?page_size=10", None
    if endpoint == "lead_list_50":
        return "GET", "/api/v1/leads/?page_size=50", None
    if endpoint == "queue":
        return "GET", "/api/v1/queue/", None
    if endpoint == "me":
        return "GET", "/api/v1/me/", None
    raise ValueError(endpoint)


ENDPOINTS = ("me", "lead_post_new", "lead_post_merge", "lead_list_10", "lead_list_50", "queue")
KEY_OF = {"queue": "rep"}  # the others use the integration key


def _client(base: str, key: str, endpoint: str, seconds: float, tag: str) -> list[float]:
    host = urlsplit(base)
    headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
    timings, n, deadline = [], 0, time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        method, path, body = request_for(endpoint, tag, n)
        started = time.perf_counter()
        conn = http.client.HTTPConnection(host.hostname, host.port, timeout=30)
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        response.read()
        conn.close()
        timings.append(time.perf_counter() - started)
        if response.status >= 400:
            raise RuntimeError(f"{method} {path} answered {response.status}")
        n += 1
    return timings


# --- CPU time from /proc ------------------------------------------------------------------
def _cpu_seconds(pid: int) -> float | None:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rpartition(")")[2].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime, stime


def _children(pid: int) -> list[int]:
    found = []
    for task in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{task}/children") as children:
                found += [int(c) for c in children.read().split()]
        except OSError:
            pass
    return found


def _tree(pid: int) -> list[int]:
    pids, todo = [], [pid]
    while todo:
        current = todo.pop()
        pids.append(current)
        todo += _children(current)
    return pids


class Meter:
    """CPU seconds per serving process, read before and after a measure."""

    def __init__(self, *, gunicorn_pid: int, celery_pid: int, db_url: str, redis_url: str):
        self.gunicorn_pid, self.celery_pid = gunicorn_pid, celery_pid
        self.db_name = urlsplit(db_url).path.lstrip("/")
        # The monitoring connection goes to another database: it is not one of the backends.
        self.monitor = psycopg2.connect(urlunsplit(urlsplit(db_url)._replace(path="/postgres")))
        self.monitor.autocommit = True
        self.redis = redis.Redis.from_url(redis_url)

    def _backends(self) -> list[int]:
        with self.monitor.cursor() as cursor:
            cursor.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = %s "
                "AND backend_type = 'client backend'",
                [self.db_name],
            )
            return [row[0] for row in cursor.fetchall()]

    def _redis_seconds(self) -> float:
        info = self.redis.info("cpu")
        return float(info["used_cpu_user"]) + float(info["used_cpu_sys"])

    def read(self) -> dict[str, dict[int, float] | float]:
        def of(pids):
            return {pid: s for pid in pids if (s := _cpu_seconds(pid)) is not None}

        return {
            "web": of(_tree(self.gunicorn_pid)),
            "postgres": of(self._backends()),
            "celery": of(_tree(self.celery_pid)),
            "redis": self._redis_seconds(),
        }

    @staticmethod
    def delta(before, after) -> dict[str, float]:
        spent = {}
        for part in ("web", "postgres", "celery"):
            # A process born during the measure counts from zero; one that ended during it
            # is lost (CONN_MAX_AGE keeps the database connections for the whole run).
            spent[part] = sum(s - before[part].get(pid, 0.0) for pid, s in after[part].items())
        spent["redis"] = after["redis"] - before["redis"]
        return spent

    def redis_idle_rate(self, seconds: float = 3.0) -> float:
        start = self._redis_seconds()
        time.sleep(seconds)
        return (self._redis_seconds() - start) / seconds


# --- the stack ----------------------------------------------------------------------------
@contextmanager
def celery_worker(env: dict[str, str]):
    name = f"bench-api-cost-{os.getpid()}@localhost"
    process = subprocess.Popen(
        [PYTHON, "-m", "celery", "-A", "smarketing", "worker", "--concurrency=1", "--pool=solo",
         "--loglevel=WARNING", "--without-heartbeat", "--without-mingle", "--without-gossip",
         "-n", name],
        cwd=ROOT, env=env, stdout=sys.stderr,  # its banner would spoil the JSON on stdout
    )  # fmt: skip
    try:
        for _ in range(120):
            result = subprocess.run(
                [PYTHON, "-m", "celery", "-A", "smarketing", "inspect", "ping", "-d", name,
                 "--timeout", "1"],
                cwd=ROOT, env=env, capture_output=True, text=True,
            )  # fmt: skip
            if result.returncode == 0 and "pong" in result.stdout:
                break
            time.sleep(0.5)
        else:
            raise RuntimeError("the Celery worker did not start")
        yield process
    finally:
        process.terminate()
        process.wait(timeout=30)


def _gunicorn_pid() -> int:
    """The master: this process's child that runs gunicorn (its title may be rewritten)."""
    for pid in _children(os.getpid()):
        with open(f"/proc/{pid}/cmdline", "rb") as cmdline:
            if b"gunicorn" in cmdline.read():
                return pid
    raise RuntimeError("gunicorn master not found")


def seed(env: dict[str, str]) -> dict[str, str]:
    """Leads, an approved persona, a sales rep with an SLA queue; returns the API keys."""
    manage(env, "create_user", "rep@bench.example", "--tenant", "bench", "--role", "sales_rep")
    keys = {
        "integration": manage(env, "create_api_key", "--tenant", "bench", "--integration")
        .splitlines()[-1],
        "rep": manage(env, "create_api_key", "--tenant", "bench", "--user", "rep@bench.example")
        .splitlines()[-1],
    }  # fmt: skip
    os.environ.update(env)
    os.environ["DJANGO_SETTINGS_MODULE"] = "smarketing.settings"
    import django

    django.setup()
    from datetime import timedelta

    from django.db import connection
    from django.utils import timezone

    from leads.models import Lead
    from personas.models import BuyerPersona, PersonaVersion
    from smarketing.tenancy.models import Tenant
    from smarketing.tenancy.scope import tenant_scope

    tenant = Tenant.objects.get(slug="bench")
    now = timezone.now()
    with tenant_scope(tenant):
        persona = BuyerPersona.objects.create(tenant=tenant)
        PersonaVersion.objects.create(
            tenant=tenant, persona=persona, number=1, name="Operations in manufacturing",
            criteria=PERSONA, status="approved", approved_at=now,
        )  # fmt: skip
        Lead.objects.bulk_create(
            Lead(tenant=tenant, email=f"lead{i}@bench.example", first_name="Ada",
                 last_name="Lovelace", company=f"Company {i}", title="Head of Operations",
                 industry="manufacturing", company_size=50 + i % 400, country="IT",
                 stage_changed_at=now)
            for i in range(SEED_LEADS)
        )  # fmt: skip
        sqls = Lead.objects.bulk_create(
            Lead(tenant=tenant, email=f"sql{i}@bench.example", first_name="Grace",
                 company=f"Queue {i}", stage="sql", stage_changed_at=now, score=40 + i % 60,
                 accept_due_at=now + timedelta(hours=1 + i))
            for i in range(QUEUE_SQLS)
        )  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    connection.close()
    del sqls
    return keys


def queries_per_request(keys: dict[str, str]) -> dict[str, int]:
    """One more request of each kind, in this process, with its queries counted."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    counts = {}
    for endpoint in ENDPOINTS:
        key = keys[KEY_OF.get(endpoint, "integration")]
        client = Client(HTTP_AUTHORIZATION=f"Bearer {key}", HTTP_HOST="127.0.0.1")
        for attempt in range(2):  # the first warms this process's caches
            method, path, body = request_for(endpoint, "q", attempt)
            with CaptureQueriesContext(connection) as captured:
                if method == "POST":
                    response = client.post(path, body, content_type="application/json")
                else:
                    response = client.get(path)
            if response.status_code >= 400:
                raise RuntimeError(f"{endpoint} answered {response.status_code}")
        counts[endpoint] = len(captured.captured_queries)
    return counts


def pending_outbox(url: str) -> int:
    conn = psycopg2.connect(url)
    try:
        with conn.cursor() as cursor:
            cursor.execute(
                "SET app.cross_tenant = 'on'; "
                "SELECT count(*) FROM events_outboxevent WHERE relayed_at IS NULL"
            )
            return cursor.fetchone()[0]
    finally:
        conn.close()


def measure(meter: Meter, base: str, key: str, endpoint: str, seconds: float, url: str) -> dict:
    before = meter.read()
    started = time.perf_counter()
    with ProcessPoolExecutor(CLIENTS) as pool:
        futures = [pool.submit(_client, base, key, endpoint, seconds, f"c{i}{endpoint[-3:]}")
                   for i in range(CLIENTS)]  # fmt: skip
        timings = [t for f in futures for t in f.result()]
    elapsed = time.perf_counter() - started
    # The relay's work for these requests belongs to them: wait until it is done.
    deadline = time.monotonic() + 60
    while pending_outbox(url) and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.3)  # the relay marks its batch after handing it over
    after = meter.read()
    spent = Meter.delta(before, after)
    count = len(timings)
    timings.sort()
    per_request = {part: round(seconds * 1000 / count, 3) for part, seconds in spent.items()}
    return {
        "requests": count,
        "rps": round(count / elapsed, 1),
        "p50_ms": round(statistics.median(timings) * 1000, 2),
        "p99_ms": round(timings[min(count - 1, int(count * 0.99))] * 1000, 2),
        "cpu_ms_per_request": round(sum(per_request.values()), 3),
        "cpu_ms_per_request_by_process": per_request,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default="smk_bench_api_cost")
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--only", nargs="*", choices=ENDPOINTS, default=list(ENDPOINTS))
    args = parser.parse_args()
    if not os.environ.get("REDIS_URL", "").startswith("redis://"):
        sys.exit("Set REDIS_URL to a Redis server (cache, rate-limit meters, broker).")

    url, env = prepare(args.database)
    # Database connections live for the whole run, so no backend ends between two readings.
    env["CONN_MAX_AGE"] = "600"
    keys = seed(env)
    queries = queries_per_request(keys)
    manage(env, "shell", "-c", "from smarketing.celery import app; app.control.purge()")
    load_before = os.getloadavg()
    results = {}
    with celery_worker(env) as worker, gunicorn(env, workers=WORKERS) as base:
        meter = Meter(gunicorn_pid=_gunicorn_pid(), celery_pid=worker.pid,
                      db_url=url, redis_url=env["REDIS_URL"])  # fmt: skip
        redis_idle = meter.redis_idle_rate()
        for endpoint in args.only:
            key = keys[KEY_OF.get(endpoint, "integration")]
            _client(base, key, endpoint, 1.0, "warm")  # every worker's first requests
            results[endpoint] = measure(meter, base, key, endpoint, args.seconds, url)
            results[endpoint]["sql_queries_per_request"] = queries[endpoint]
    print(json.dumps({
        "endpoints": results,
        "redis_idle_cpu_ms_per_s": round(redis_idle * 1000, 3),
        "clients": CLIENTS,
        "gunicorn_workers": WORKERS,
        "seconds_per_measure": args.seconds,
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
    }, indent=2))  # fmt: skip


if __name__ == "__main__":
    main()
