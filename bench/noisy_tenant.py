"""A noisy tenant against a quiet one: does throttling keep the quiet tenant fast?

Tenant B sends a steady trickle of `GET /api/v1/leads/` (one every 200 ms). First alone, then
while tenant A floods `POST /api/v1/leads/` at full speed from several processes with one
key. Measured twice: with A's rate capped per key and per tenant, so most of its requests get
a cheap 429, and, for comparison, with no limit at all. Prints B's median and p95 latency
alone and during the flood, and A's answers by status.

Usage: DATABASE_URL=postgres://… REDIS_URL=redis://127.0.0.1:6379/5 python bench/noisy_tenant.py
(the throttles count in Redis, shared by the gunicorn workers). Prints one JSON object.
"""

from __future__ import annotations

import http.client
import json
import os
import statistics
import sys
import time
import uuid
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from urllib.parse import urlsplit

import redis

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _stack import environment, gunicorn, manage, prepare

FLOOD_PROCESSES = 4
SECONDS = 10.0
TRICKLE_INTERVAL = 0.2
# Far below what A could send, so the flood is mostly refused; B's own rate is untouched.
RATE_PER_KEY = "120/min"
RATE_PER_TENANT = "240/min"
UNLIMITED = "1000000/min"


def _request(base: str, key: str, method: str, path: str, body: bytes | None) -> int:
    host = urlsplit(base)
    conn = http.client.HTTPConnection(host.hostname, host.port, timeout=30)
    headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
    conn.request(method, path, body=body, headers=headers)
    response = conn.getresponse()
    response.read()
    conn.close()
    return response.status


def flood(base: str, key: str, seconds: float, tag: str) -> dict[int, int]:
    """Tenant A: new leads back to back, as fast as the server answers."""
    codes: Counter = Counter()
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        body = json.dumps({"email": f"{tag}-{uuid.uuid4().hex[:12]}@noisy.example"}).encode()
        codes[_request(base, key, "POST", "/api/v1/leads/", body)] += 1
    return dict(codes)


def trickle(base: str, key: str, seconds: float) -> list[float]:
    """Tenant B: one list request every 200 ms; the latency of each, in milliseconds."""
    latencies = []
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        started = time.perf_counter()
        status = _request(base, key, "GET", "/api/v1/leads/?page_size=20", None)
        latencies.append((time.perf_counter() - started) * 1000)
        if status != 200:
            raise RuntimeError(f"tenant B was answered {status}")
        time.sleep(max(0.0, TRICKLE_INTERVAL - (time.perf_counter() - started)))
    return latencies


def summary(latencies: list[float]) -> dict[str, float]:
    ordered = sorted(latencies)
    return {
        "requests": len(ordered),
        "median_ms": round(statistics.median(ordered), 1),
        "p95_ms": round(ordered[int(len(ordered) * 0.95) - 1], 1),
    }


def measure(url: str, key_a: str, key_b: str, rate_per_key: str, rate_per_tenant: str) -> dict:
    """B alone, then B during A's flood, on a server with these rates."""
    env = environment(url, API_RATE_PER_KEY=rate_per_key, API_RATE_PER_TENANT=rate_per_tenant)
    with gunicorn(env, workers=4) as base:
        trickle(base, key_b, 2.0)  # warm up every worker
        alone = trickle(base, key_b, SECONDS)
        with ProcessPoolExecutor(FLOOD_PROCESSES + 1) as pool:
            floods = [
                pool.submit(flood, base, key_a, SECONDS, f"a{i}-{uuid.uuid4().hex[:6]}")
                for i in range(FLOOD_PROCESSES)
            ]
            quiet = pool.submit(trickle, base, key_b, SECONDS)
            codes: Counter = Counter()
            for future in floods:
                codes.update(future.result())
            during = quiet.result()
    b_alone, b_during = summary(alone), summary(during)
    total = sum(codes.values())
    return {
        "rates": {"api_key": rate_per_key, "tenant": rate_per_tenant},
        "tenant_b_alone": b_alone,
        "tenant_b_during_flood": b_during,
        "tenant_b_median_slowdown": round(b_during["median_ms"] / b_alone["median_ms"], 2),
        "tenant_b_p95_slowdown": round(b_during["p95_ms"] / b_alone["p95_ms"], 2),
        "tenant_a_requests": total,
        "tenant_a_per_second": round(total / SECONDS, 1),
        "tenant_a_by_status": {str(k): v for k, v in sorted(codes.items())},
        "tenant_a_429_share": round(codes.get(429, 0) / max(total, 1), 3),
    }


def main() -> None:
    if not os.environ.get("REDIS_URL"):
        sys.exit("Set REDIS_URL: the throttles count in Redis, shared by every web worker.")
    url, env = prepare("smk_bench_noisy")
    # A new database reuses key and tenant ids: forget the counters of an earlier run.
    counters = redis.Redis.from_url(os.environ["REDIS_URL"])
    for name in counters.scan_iter(match="*throttle:*"):
        counters.delete(name)
    manage(env, "create_tenant", "quiet", "--name", "Quiet Inc", "--timezone", "UTC")

    def key(tenant: str) -> str:
        name = f"noisy-{uuid.uuid4().hex[:8]}"
        args = ["create_api_key", "--tenant", tenant, "--integration", "--name", name]
        return manage(env, *args).splitlines()[-1]

    # Fresh keys per run: the counters of one run must not spill into the next.
    throttled = measure(url, key("bench"), key("quiet"), RATE_PER_KEY, RATE_PER_TENANT)
    unthrottled = measure(url, key("bench"), key("quiet"), UNLIMITED, UNLIMITED)
    print(
        json.dumps(
            {
                "throttled": throttled,
                "unthrottled_for_comparison": unthrottled,
                "flood_processes": FLOOD_PROCESSES,
                "seconds_per_phase": SECONDS,
            }
        )
    )


if __name__ == "__main__":
    main()
