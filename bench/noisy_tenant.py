"""A noisy tenant against a quiet one: does throttling keep the quiet tenant fast?

Tenant B sends a steady trickle of `GET /api/v1/leads/` (one every 200 ms). First alone, then
while tenant A's runaway integration sends `POST /api/v1/leads/` at a fixed rate far above
its quota (an open loop: A does not wait for answers before sending more, as a batch job
with a broken retry loop does not). Measured with A's rate capped per key and per tenant,
so most of its requests get a cheap 429, and, for comparison, with no limit at all at the
same flood rate. Prints B's median and p95 latency alone and during each flood, and A's
answers by status. Goal: B's median at most 1.5x its median alone while A is throttled.

A's client is one asyncio process (a few percent of a core), so the machine's cores go to
the server, not to the flood's own bookkeeping, as they would with the flood coming from
elsewhere.

Usage: DATABASE_URL=postgres://… REDIS_URL=redis://127.0.0.1:6379/5 python bench/noisy_tenant.py
(the throttles count in Redis, shared by the gunicorn workers). Prints one JSON object.
"""

from __future__ import annotations

import asyncio
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

SECONDS = 10.0
TRICKLE_INTERVAL = 0.2
# The quotas: B's trickle (300/min) stays inside them, A's flood is mostly refused.
RATE_PER_KEY = "600/min"
RATE_PER_TENANT = "1200/min"
UNLIMITED = "1000000/min"
# Requests per second A sends: 12x and 24x its tenant quota of 20 per second.
THROTTLED_FLOODS = (240, 480)
UNTHROTTLED_FLOOD = 240
GOAL_MEDIAN_SLOWDOWN = 1.5


def _request(base: str, key: str, method: str, path: str, body: bytes | None) -> int:
    host = urlsplit(base)
    conn = http.client.HTTPConnection(host.hostname, host.port, timeout=30)
    headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
    conn.request(method, path, body=body, headers=headers)
    response = conn.getresponse()
    response.read()
    conn.close()
    return response.status


async def _post_lead(host: str, port: int, key: str, tag: str, codes: Counter) -> None:
    body = json.dumps({"email": f"{tag}-{uuid.uuid4().hex[:12]}@noisy.example"}).encode()
    head = (f"POST /api/v1/leads/ HTTP/1.1\r\nHost: {host}:{port}\r\n"
            f"Authorization: Bearer {key}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n").encode()  # fmt: skip
    try:
        reader, writer = await asyncio.open_connection(host, port)
        writer.write(head + body)
        status_line = await reader.readline()
        await reader.read()
        writer.close()
        codes[int(status_line.split()[1])] += 1
    except (OSError, IndexError, ValueError):
        codes["failed"] += 1


async def _flood(base: str, key: str, rate: int, seconds: float) -> dict:
    host = urlsplit(base)
    codes: Counter = Counter()
    tag = f"a-{uuid.uuid4().hex[:6]}"
    started = time.perf_counter()
    pending = set()
    for i in range(int(rate * seconds)):
        await asyncio.sleep(max(0.0, started + i / rate - time.perf_counter()))
        task = asyncio.create_task(_post_lead(host.hostname, host.port, key, tag, codes))
        pending.add(task)
        task.add_done_callback(pending.discard)
    sent_in = time.perf_counter() - started
    # What the server has not answered a few seconds after the flood stops counts as such.
    late = set()
    if pending:
        _, late = await asyncio.wait(pending, timeout=5.0)
    for task in late:
        task.cancel()
    return {"codes": {str(k): v for k, v in codes.items()}, "unanswered": len(late),
            "sent_per_second": round(int(rate * seconds) / sent_in, 1)}  # fmt: skip


def flood(base: str, key: str, rate: int, seconds: float) -> dict:
    """Tenant A: new leads at `rate` per second whatever the answers, for `seconds`."""
    return asyncio.run(_flood(base, key, rate, seconds))


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


def during_flood(base: str, key_a: str, key_b: str, rate: int) -> tuple[list[float], dict]:
    with ProcessPoolExecutor(2) as pool:
        noisy = pool.submit(flood, base, key_a, rate, SECONDS)
        quiet = pool.submit(trickle, base, key_b, SECONDS)
        return quiet.result(), noisy.result()


def measure(url: str, keys: dict, limits: tuple[str, str], rates: tuple[int, ...]) -> list:
    """B alone, then B during A's flood at each rate, on a server with these limits."""
    per_key, per_tenant = limits
    env = environment(url, API_RATE_PER_KEY=per_key, API_RATE_PER_TENANT=per_tenant)
    results = []
    with gunicorn(env, workers=4) as base:
        trickle(base, keys["b"], 2.0)  # warm up every worker
        alone = summary(trickle(base, keys["b"], SECONDS))
        for rate in rates:
            during, answers = during_flood(base, keys.pop(f"a{rate}"), keys["b"], rate)
            b_during = summary(during)
            results.append({
                "rates": {"api_key": per_key, "tenant": per_tenant},
                "tenant_a_sends_per_second": rate,
                "tenant_b_alone": alone,
                "tenant_b_during_flood": b_during,
                "tenant_b_median_slowdown": round(b_during["median_ms"] / alone["median_ms"], 2),
                "tenant_b_p95_slowdown": round(b_during["p95_ms"] / alone["p95_ms"], 2),
                "tenant_a": answers,
            })  # fmt: skip
    return results


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

    # Fresh keys per flood: the counters of one flood must not spill into the next.
    throttled_keys = {"b": key("quiet"), **{f"a{rate}": key("bench") for rate in THROTTLED_FLOODS}}
    throttled = measure(url, throttled_keys, (RATE_PER_KEY, RATE_PER_TENANT), THROTTLED_FLOODS)
    free_keys = {"b": key("quiet"), f"a{UNTHROTTLED_FLOOD}": key("bench")}
    unthrottled = measure(url, free_keys, (UNLIMITED, UNLIMITED), (UNTHROTTLED_FLOOD,))
    worst = max(result["tenant_b_median_slowdown"] for result in throttled)
    print(json.dumps({
        "throttled": throttled,
        "unthrottled_for_comparison": unthrottled,
        "seconds_per_phase": SECONDS,
        "goal_median_slowdown": GOAL_MEDIAN_SLOWDOWN,
        "worst_median_slowdown_throttled": worst,
        "meets_goal": worst <= GOAL_MEDIAN_SLOWDOWN,
    }))  # fmt: skip


if __name__ == "__main__":
    main()
