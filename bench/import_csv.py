"""A 100,000-row CSV import, end to end: upload over HTTP, a real Celery worker, PostgreSQL.

The clock runs from the start of the upload (POST /api/v1/imports/ to gunicorn) until
GET /api/v1/imports/{id}/ says `done`. The worker is one process
(`celery -A smarketing worker --concurrency=1 --pool=solo`), so the task runs in it and its
peak resident memory (VmHWM in /proc/<pid>/status) is the import's peak. Goals: at most
20 s and 300 MB.

Wall time depends on what else the machine runs, so the CPU seconds of the worker and of
the PostgreSQL backends serving the database are printed too (read from /proc; the server
must run on this machine), with the load average at the end (this benchmark's own busy
processes included). The import is sequential: worker and database take turns, so their
CPU seconds added up are about the wall time on an otherwise idle machine.

The file has the columns a marketing tool exports (e-mail, names, company, title, phone,
industry, employees, country, two custom columns); one row in 1,000 has a broken e-mail, so
the error report is part of the work.

Usage: DATABASE_URL=postgres://user:pw@127.0.0.1:5432/x REDIS_URL=redis://127.0.0.1:6379/N \
       python bench/import_csv.py [--rows N]
Uses its own database (smk_bench_import): dropped, created, migrated with `manage.py migrate`
and given the tenant `bench` with `manage.py create_tenant` (bench/_stack.py). Prints JSON.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psycopg2
import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _stack import PYTHON, ROOT, gunicorn, manage, prepare

DATABASE = "smk_bench_import"
GOAL_SECONDS = 20
GOAL_RSS_MB = 300
INDUSTRIES = ["Manufacturing", "Logistics", "Retail", "Software", "Healthcare", "Finance"]
COUNTRIES = ["IT", "DE", "FR", "ES", "US", "GB", "NL", "PL"]
TITLES = ["Head of Operations", "COO", "VP Sales", "Marketing Manager", "CTO", "Plant Manager"]


def write_csv(path: Path, rows: int) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Email", "First Name", "Last Name", "Company", "Job Title", "Phone",
                         "Industry", "Employees", "Country", "Lead Source", "Notes"])  # fmt: skip
        for i in range(rows):
            broken = i % 1000 == 999
            email = f"broken-{i}.example" if broken else f"person{i}@company{i % 997}.example"
            writer.writerow([
                email, f"First{i}", f"Last{i}", f"Company {i % 997} GmbH", TITLES[i % 6],
                f"+39 06 {i:07d}", INDUSTRIES[i % 6], i % 5000, COUNTRIES[i % 8],
                "trade fair" if i % 2 else "webinar", f"Met in hall {i % 12}; wants a demo",
            ])  # fmt: skip


def kib(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise RuntimeError(f"{field} not found for process {pid}")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process: less sensitive to a busy machine than wall time."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class DatabaseCPU:
    """CPU time of the PostgreSQL backends serving the benchmark's database (the worker's
    and the web server's connections), sampled while they live: a backend's time is read
    from /proc, so this works when the server runs on this machine."""

    def __init__(self, url: str):
        self.connection = psycopg2.connect(url)
        self.connection.autocommit = True
        self.seconds_by_pid: dict[int, float] = {}

    def sample(self) -> None:
        with self.connection.cursor() as cursor:
            cursor.execute(
                "SELECT pid FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
            for (pid,) in cursor.fetchall():
                with contextlib.suppress(OSError):  # the backend has just gone
                    self.seconds_by_pid[pid] = cpu_seconds(pid)

    def total(self) -> float | None:
        self.connection.close()
        return sum(self.seconds_by_pid.values()) if self.seconds_by_pid else None


def wait_for_worker(env: dict[str, str], name: str) -> None:
    for _ in range(60):
        result = subprocess.run(
            [PYTHON, "-m", "celery", "-A", "smarketing", "inspect", "ping", "-d", name,
             "--timeout", "1"],
            cwd=ROOT, env=env, capture_output=True, text=True,
        )  # fmt: skip
        if result.returncode == 0 and "pong" in result.stdout:
            return
        time.sleep(0.5)
    raise RuntimeError("the Celery worker did not start")


def prepare_database() -> tuple[str, dict[str, str]]:
    # Autovacuum may still be analysing the previous run's rows; its backend is not ours
    # to terminate, so dropping the database waits for it.
    for attempt in range(30):
        try:
            return prepare(DATABASE)
        except (psycopg2.errors.InsufficientPrivilege, psycopg2.errors.ObjectInUse):
            if attempt == 29:
                raise
            time.sleep(2)
    raise AssertionError("unreachable")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()
    if not os.environ.get("REDIS_URL", "").startswith("redis://"):
        sys.exit("Set REDIS_URL to a Redis server (the broker of the worker).")

    work = Path(tempfile.mkdtemp(prefix="smk-bench-import-"))
    url, env = prepare_database()
    env["MEDIA_ROOT"] = str(work / "media")  # shared by the web server and the worker
    email = "marketer@bench.example"
    manage(env, "create_user", email, "--tenant", "bench", "--role", "marketer")
    key = manage(env, "create_api_key", "--tenant", "bench", "--user", email).splitlines()[-1]
    manage(env, "shell", "-c", "from smarketing.celery import app; app.control.purge()")
    source = work / "leads.csv"
    write_csv(source, args.rows)
    file_mb = source.stat().st_size / 1024 / 1024

    name = f"bench-import-{os.getpid()}@localhost"
    worker = subprocess.Popen(
        [PYTHON, "-m", "celery", "-A", "smarketing", "worker", "--concurrency=1", "--pool=solo",
         "--loglevel=WARNING", "--without-heartbeat", "--without-mingle", "--without-gossip",
         "-n", name],
        cwd=ROOT, env=env, stdout=sys.stderr,  # stdout is for the JSON figures
    )  # fmt: skip
    try:
        wait_for_worker(env, name)
        rss_at_start = kib(worker.pid, "VmHWM")
        cpu_at_start = cpu_seconds(worker.pid)
        with gunicorn(env, workers=2) as base:
            session = requests.Session()
            session.headers["Authorization"] = f"Bearer {key}"
            database_cpu = DatabaseCPU(url)
            started = time.perf_counter()
            with source.open("rb") as handle:
                upload = {"file": ("leads.csv", handle, "text/csv")}
                response = session.post(f"{base}/api/v1/imports/", files=upload)
            response.raise_for_status()
            import_id = response.json()["id"]
            while True:
                body = session.get(f"{base}/api/v1/imports/{import_id}/").json()
                if body["status"] in ("done", "failed"):
                    break
                database_cpu.sample()
                time.sleep(0.1)
            seconds = time.perf_counter() - started
        peak_rss = kib(worker.pid, "VmHWM")
        worker_cpu = cpu_seconds(worker.pid) - cpu_at_start
        postgres_cpu = database_cpu.total()
        load = os.getloadavg()[0]
    finally:
        worker.terminate()
        worker.wait(timeout=60)
        shutil.rmtree(work, ignore_errors=True)
    if body["status"] != "done":
        sys.exit(f"The import failed: {body['error']}")
    print(json.dumps({
        "benchmark": "import_csv",
        "rows": body["done"],
        "file_mb": round(file_mb, 1),
        "seconds": round(seconds, 2),
        "rows_per_second": round(body["done"] / seconds),
        "worker_peak_rss_mb": round(peak_rss / 1024, 1),
        "worker_rss_before_import_mb": round(rss_at_start / 1024, 1),
        "worker_cpu_seconds": round(worker_cpu, 2),
        "postgres_cpu_seconds": None if postgres_cpu is None else round(postgres_cpu, 2),
        "load_average_1min": round(load, 2),
        "cpus": os.cpu_count(),
        "created": body["created"],
        "failed": body["failed"],
        "goal_seconds": GOAL_SECONDS,
        "goal_worker_peak_rss_mb": GOAL_RSS_MB,
        "meets_goals": seconds <= GOAL_SECONDS and peak_rss / 1024 <= GOAL_RSS_MB,
        "database": url.rsplit("/", 1)[-1],
    }, indent=2))  # fmt: skip


if __name__ == "__main__":
    main()
