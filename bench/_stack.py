"""Shared plumbing of the benchmarks: a fresh database, a tenant, a key, a gunicorn server.

Everything listens on 127.0.0.1. DATABASE_URL names the PostgreSQL server (its database
part is replaced by the benchmark's own database, dropped and created anew); REDIS_URL the
Redis server (cache, rate-limit counters and broker, as in a deployment).
"""

from __future__ import annotations

import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg2

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable


def database_url(name: str) -> str:
    base = os.environ.get("DATABASE_URL", "")
    if not base.startswith(("postgres://", "postgresql://")):
        sys.exit("Set DATABASE_URL to a PostgreSQL server (the role needs CREATEDB).")
    parts = urlsplit(base)
    return urlunsplit(parts._replace(path=f"/{name}"))


def recreate_database(url: str) -> None:
    parts = urlsplit(url)
    admin = psycopg2.connect(urlunsplit(parts._replace(path="/postgres")))
    admin.autocommit = True
    with admin.cursor() as cursor:
        name = parts.path.lstrip("/")
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{name}"')
    admin.close()


def environment(url: str, **extra: str) -> dict[str, str]:
    if not os.environ.get("REDIS_URL", "").startswith("redis://"):
        # Without it the app falls back to per-process caches and a folder broker: not the
        # deployment being measured (rate-limit counters and the broker live in Redis).
        sys.exit("Set REDIS_URL to a Redis server, as in a deployment.")
    env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": "bench-secret-key-0123456789abcdef",
           "DEBUG": "0", "ALLOWED_HOSTS": "127.0.0.1,localhost", "SECURE_SSL_REDIRECT": "0",
           "LOG_LEVEL": "WARNING",
           # Throughput, not the rate limits, is measured (noisy_tenant.py sets its own).
           "API_RATE_PER_KEY": "100000000/min", "API_RATE_PER_TENANT": "100000000/min",
           **extra}  # fmt: skip
    env.pop("SMARKETING_TESTING", None)
    return env


def manage(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    )
    return result.stdout.strip()


def prepare(name: str) -> tuple[str, dict[str, str]]:
    """A migrated database with tenant `bench`; returns (url, env)."""
    url = database_url(name)
    recreate_database(url)
    env = environment(url)
    manage(env, "migrate", "--noinput")
    manage(env, "create_tenant", "bench", "--name", "Bench Inc", "--timezone", "UTC")
    return url, env


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def gunicorn(env: dict[str, str], workers: int = 3):
    port = free_port()
    process = subprocess.Popen(
        [PYTHON, "-m", "gunicorn", "smarketing.wsgi:application", "--bind", f"127.0.0.1:{port}",
         "--workers", str(workers), "--log-level", "warning"],
        cwd=ROOT, env=env,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=20)


def timed_get(base: str, key: str, path: str, timeout: float = 120) -> tuple[float, dict]:
    """One GET with the API key on a fresh connection: milliseconds, and the JSON body."""
    host = urlsplit(base)
    conn = http.client.HTTPConnection(host.hostname, host.port, timeout=timeout)
    started = time.perf_counter()
    conn.request("GET", path, headers={"Authorization": f"Bearer {key}"})
    response = conn.getresponse()
    body = response.read()
    elapsed = time.perf_counter() - started
    conn.close()
    if response.status != 200:
        raise RuntimeError(f"GET {path} answered {response.status}: {body[:300]!r}")
    return elapsed * 1000, json.loads(body)


def timed_gets(base: str, key: str, path: str, requests: int) -> tuple[dict, dict]:
    """`requests` sequential GETs after three that warm every worker: the median, p90 and
    fastest times, and the last body (for the figures the caller reports beside them)."""
    for _ in range(3):  # every worker loads its code and caches once
        timed_get(base, key, path)
    times, body = [], {}
    for _ in range(requests):
        ms, body = timed_get(base, key, path)
        times.append(ms)
    times.sort()
    summary = {
        "path": path, "requests": requests,
        "median_ms": round(statistics.median(times), 1),
        "p90_ms": round(times[int(0.9 * (len(times) - 1))], 1),
        "min_ms": round(times[0], 1),
    }  # fmt: skip
    return summary, body
