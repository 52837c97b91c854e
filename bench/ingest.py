"""Ingestion throughput, as ratios measured in one run on one server (machines are noisy).

- single: POST /api/v1/leads/ (a new lead each time) against GET /api/v1/me/, the bare
  authenticated endpoint: same authentication, same tenant resolution, no domain work.
- bulk: POST /api/v1/leads/bulk/ (1,000 leads a request) against PostgreSQL COPY of the same
  rows into a plain table; and, to show where the gap lies, the bulk path's upsert
  statement alone on the real leads table, without HTTP, cleaning, events or scoring.

Usage: DATABASE_URL=postgres://user:pw@127.0.0.1:5432/x python bench/ingest.py
Prints one JSON object.
"""

from __future__ import annotations

import http.client
import io
import json
import os
import sys
import time
import uuid
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from urllib.parse import urlsplit

import psycopg2

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from _stack import gunicorn, manage, prepare

CLIENTS = 4
SECONDS = 8.0
BULK_BATCHES = 20
BULK_SIZE = 1000


def _hammer(base: str, key: str, method: str, path: str, seconds: float, tag: str) -> int:
    host = urlsplit(base)
    headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
    done, deadline = 0, time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        conn = http.client.HTTPConnection(host.hostname, host.port, timeout=30)
        body = None
        if method == "POST":
            body = json.dumps({"email": f"{tag}-{done}-{uuid.uuid4().hex[:8]}@bench.example",
                               "first_name": "Ada", "company": "Analytical Engines",
                               "country": "IT", "company_size": 120})  # fmt: skip
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        response.read()
        conn.close()
        if response.status >= 400:
            raise RuntimeError(f"{method} {path} answered {response.status}")
        done += 1
    return done


def requests_per_second(base: str, key: str, method: str, path: str) -> float:
    with ProcessPoolExecutor(CLIENTS) as pool:
        futures = [pool.submit(_hammer, base, key, method, path, SECONDS, f"c{i}")
                   for i in range(CLIENTS)]  # fmt: skip
        total = sum(f.result() for f in futures)
    return total / SECONDS


def lead_rows(batch: int) -> list[dict]:
    return [
        {"email": f"bulk-{batch}-{i}@bench.example", "first_name": "Grace", "last_name": "Hopper",
         "company": f"Company {i % 500}", "title": "VP Operations", "industry": "manufacturing",
         "company_size": 50 + i % 900, "country": "IT", "custom_fields": {"source": "bench"}}
        for i in range(BULK_SIZE)
    ]  # fmt: skip


def bulk_rows_per_second(base: str, key: str) -> float:
    host = urlsplit(base)
    payloads = [json.dumps(lead_rows(b)) for b in range(BULK_BATCHES)]
    started = time.perf_counter()
    for payload in payloads:
        conn = http.client.HTTPConnection(host.hostname, host.port, timeout=120)
        conn.request(
            "POST",
            "/api/v1/leads/bulk/",
            body=payload,
            headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"},
        )
        response = conn.getresponse()
        result = json.loads(response.read())
        conn.close()
        if response.status != 200 or result["failed"]:
            raise RuntimeError(f"bulk answered {response.status}: {str(result)[:300]}")
    return BULK_BATCHES * BULK_SIZE / (time.perf_counter() - started)


def copy_rows_per_second(url: str) -> float:
    columns = ["email", "first_name", "last_name", "company", "title", "industry",
               "company_size", "country", "custom_fields"]  # fmt: skip
    conn = psycopg2.connect(url)
    with conn, conn.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE bench_copy (id bigserial primary key, email varchar(254) unique, "
            "first_name varchar(100), last_name varchar(100), company varchar(200), "
            "title varchar(200), industry varchar(100), company_size integer, "
            "country varchar(2), custom_fields jsonb)"
        )
    buffers = []
    for batch in range(BULK_BATCHES):
        text = io.StringIO()
        for row in lead_rows(batch + 1000):
            values = [row[c] if c != "custom_fields" else json.dumps(row[c]) for c in columns]
            text.write("\t".join(str(v) for v in values) + "\n")
        buffers.append(text.getvalue())
    started = time.perf_counter()
    with conn, conn.cursor() as cursor:
        for data in buffers:
            cursor.copy_expert(f"COPY bench_copy ({', '.join(columns)}) FROM STDIN",
                               io.StringIO(data))  # fmt: skip
            conn.commit()
    elapsed = time.perf_counter() - started
    conn.close()
    return BULK_BATCHES * BULK_SIZE / elapsed


def statement_rows_per_second(env: dict[str, str]) -> float:
    """The bulk path's upsert statement alone, on the real table (indexes, constraints,
    row-level security), rows cleaned beforehand: the ceiling of any path into leads_lead."""
    os.environ.update(env)
    os.environ["DJANGO_SETTINGS_MODULE"] = "smarketing.settings"
    import django

    django.setup()
    from django.db import transaction

    from leads.input import clean_lead
    from leads.services.bulk_sql import bulk_upsert_rows
    from smarketing.tenancy.models import Tenant
    from smarketing.tenancy.scope import tenant_scope

    tenant = Tenant.objects.get(slug="bench")
    batches = [[clean_lead(row)[0] for row in lead_rows(batch + 2000)]
               for batch in range(BULK_BATCHES)]  # fmt: skip
    with tenant_scope(tenant):
        started = time.perf_counter()
        for batch in batches:
            with transaction.atomic():
                bulk_upsert_rows(tenant_id=tenant.pk, leads=batch)
        elapsed = time.perf_counter() - started
    return BULK_BATCHES * BULK_SIZE / elapsed


def main() -> None:
    url, env = prepare("smk_bench_ingest")
    key = manage(env, "create_api_key", "--tenant", "bench", "--integration").splitlines()[-1]
    with gunicorn(env) as base:
        requests_per_second(base, key, "GET", "/api/v1/me/")  # warm up the workers
        bare = requests_per_second(base, key, "GET", "/api/v1/me/")
        single = requests_per_second(base, key, "POST", "/api/v1/leads/")
        bulk = bulk_rows_per_second(base, key)
    copy = copy_rows_per_second(url)
    statement = statement_rows_per_second(env)
    print(json.dumps({
        "single_post_rps": round(single, 1),
        "bare_endpoint_rps": round(bare, 1),
        "single_post_ratio": round(single / bare, 3),
        "single_post_ratio_goal": 0.35,
        "bulk_rows_per_second": round(bulk),
        "copy_rows_per_second": round(copy),
        "bulk_ratio": round(bulk / copy, 3),
        "bulk_ratio_goal": 0.25,
        "upsert_statement_alone_rows_per_second": round(statement),
        "upsert_statement_alone_ratio": round(statement / copy, 3),
        "clients": CLIENTS,
        "seconds_per_measure": SECONDS,
    }))  # fmt: skip


if __name__ == "__main__":
    main()
