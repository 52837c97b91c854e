"""SLA sweep cost: proportional to the obligations due, not to the table.

1. Sweep time with 1,000 due among 10,000 pending vs 1,000 due among 1,000,000 pending
   (goal: ratio <= 2, the proof that the partial index on pending deadlines does its job).
2. Breach throughput with 100,000 due (goal: >= 10,000 breaches/s), each breach with its
   breach record and its `sla.breached` event in the outbox, exactly as in production.

Rows are generated set-based (generate_series). Each run is measured on fresh rows, after
VACUUM ANALYZE, through the production service `sla.services.sla_sweep`.

Usage: DATABASE_URL=postgres://user:pw@127.0.0.1:5432/x python bench/sla_sweep.py [--runs R]
       [--large N]
Uses its own database (smk_bench_sla), dropped, created and migrated here. Prints JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from _stack import prepare

DATABASE = "smk_bench_sla"
RATIO_GOAL = 2.0
THROUGHPUT_GOAL = 10_000
DUE = 1_000


def setup(largest: int) -> dict:
    from django.utils import timezone

    from bench.sla_data import copy_leads
    from leads.models import Lead
    from sla.calendar import DAY_KEYS
    from sla.models import SlaStatus, SlaVersion
    from smarketing.tenancy.models import Tenant
    from smarketing.tenancy.roles import Role
    from smarketing.tenancy.scope import tenant_scope
    from smarketing.tenancy.services import member_add

    tenant = Tenant.objects.get(slug="bench")
    member_add(tenant=tenant, email="boss@bench.example", role=Role.MANAGER)
    with tenant_scope(tenant):
        now = timezone.now()
        version = SlaVersion.objects.create(
            tenant=tenant, number=2, name="Bench", status=SlaStatus.ACTIVE,
            accept_within_hours=4, first_touch_within_hours=8,
            calendar={"timezone": "UTC", "working_hours": {k: [["00:00", "24:00"]]
                                                           for k in DAY_KEYS}},
            marketing_signed_at=now, sales_signed_at=now, activated_at=now,
        )  # fmt: skip
        template = Lead.objects.create(tenant=tenant, email="template@bench.example",
                                       stage="sql", stage_changed_at=now)  # fmt: skip
        copy_leads(template=template, count=largest, prefix="b")
    return {"tenant_id": tenant.pk, "version_id": version.pk}


def reset(*, tenant_id: int, version_id: int, due: int, pending: int) -> None:
    from django.db import connection
    from django.utils import timezone

    from bench.sla_data import add_obligations

    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE sla_breach, sla_obligation, events_outboxevent CASCADE")
    add_obligations(tenant_id=tenant_id, version_id=version_id, prefix="b", due=due,
                    pending=pending, now=timezone.now())  # fmt: skip
    connection.close()  # VACUUM cannot run inside the connection's transaction state
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE sla_obligation")
        cursor.execute("VACUUM ANALYZE events_outboxevent")


def sweep_once(ids: dict, *, due: int, pending: int) -> dict:
    from django.db import connection

    from sla.services import sla_sweep
    from smarketing.events.models import OutboxEvent
    from smarketing.tenancy.scope import cross_tenant_scope

    reset(**ids, due=due, pending=pending)
    started = time.perf_counter()
    counts = sla_sweep()
    seconds = time.perf_counter() - started
    with cross_tenant_scope(), connection.cursor() as cursor:
        cursor.execute("SELECT count(*), count(DISTINCT obligation_id) FROM sla_breach")
        breaches, distinct = cursor.fetchone()
        events = OutboxEvent.all_tenants.filter(event_type="sla.breached").count()
    assert counts.breached == breaches == distinct == events == due, (counts, breaches, events)
    return {"seconds": round(seconds, 4), "breached": counts.breached,
            "breaches_per_second": round(counts.breached / seconds)}  # fmt: skip


def median_run(ids: dict, *, due: int, pending: int, runs: int) -> dict:
    results = [sweep_once(ids, due=due, pending=pending) for _ in range(runs)]
    return {"due": due, "pending": pending, "runs": results,
            "median_seconds": statistics.median(r["seconds"] for r in results)}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--large", type=int, default=1_000_000)
    parser.add_argument("--throughput-due", type=int, default=100_000)
    args = parser.parse_args()

    _url, env = prepare(DATABASE)
    os.environ.update(env)
    os.environ["DJANGO_SETTINGS_MODULE"] = "smarketing.settings"
    import django

    django.setup()
    from sla.services.breaches import BATCH_SIZE
    from smarketing.tenancy.scope import cross_tenant_scope

    with cross_tenant_scope():
        started = time.perf_counter()
        ids = setup(max(args.large, args.throughput_due))
        setup_seconds = time.perf_counter() - started
        small = median_run(ids, due=DUE, pending=10_000, runs=args.runs)
        large = median_run(ids, due=DUE, pending=args.large, runs=args.runs)
        bulk = median_run(ids, due=args.throughput_due, pending=args.throughput_due, runs=args.runs)
    ratio = large["median_seconds"] / small["median_seconds"]
    throughput = round(args.throughput_due / bulk["median_seconds"])
    print(json.dumps({
        "benchmark": "sla_sweep",
        "database": "postgresql",
        "batch_size": BATCH_SIZE,
        "setup_seconds": round(setup_seconds, 1),
        "due_among_10k": small,
        f"due_among_{args.large // 1000}k": large,
        "ratio_large_to_small": round(ratio, 3),
        "goal_ratio_at_most": RATIO_GOAL,
        "throughput": bulk,
        "breaches_per_second_median": throughput,
        "goal_breaches_per_second": THROUGHPUT_GOAL,
        "meets_goals": ratio <= RATIO_GOAL and throughput >= THROUGHPUT_GOAL,
    }, indent=2))  # fmt: skip


if __name__ == "__main__":
    main()
