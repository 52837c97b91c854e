"""The demo on its embedded default: a 20,000-row CSV import while another person browses.

The stack is what `make run` starts: SQLite in a file, the embedded (folder) broker, a real
Celery worker process (`--pool=threads --concurrency=2`), beat, and `manage.py runserver`,
all on this machine with DEBUG on. The admin of the demo tenant uploads a CSV through the
API; while the worker imports it, a second client, logged in through the login form, loads
the pages a manager looks at (leads, queue, SLA dashboard and its compliance data, the
import's progress) one after the other, as fast as they answer.

Figures: the import's wall time (upload until `done`), the pages' latency (p50, p95, max) and
every failed request (an answer >= 400 or no answer). Goals: import <= 30 s, page p95 <= 1 s,
no failed request.

Usage: python bench/sqlite_demo.py [--rows N]   (needs nothing running; prints JSON)
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _stack import PYTHON, ROOT, free_port
from import_csv import write_csv

GOAL_IMPORT_SECONDS = 30
GOAL_PAGE_P95_SECONDS = 1.0
TENANT = "acme"
EMAIL = "admin@acme.example"
PASSWORD = "smarketing-demo"
PAGES = [
    f"/t/{TENANT}/leads/",
    f"/t/{TENANT}/queue/",
    f"/t/{TENANT}/sla/",
    "/api/v1/sla/compliance/",
    f"/t/{TENANT}/leads/import/",
]


def demo_environment(work: Path) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DATABASE_URL", "REDIS_URL", "SMARKETING_TESTING", "DJANGO_SETTINGS_MODULE")
    }
    env.update({
        "DEBUG": "1",  # as `make run`
        "DATABASE_URL": f"sqlite:///{work / 'db.sqlite3'}",
        "SMARKETING_VAR_DIR": str(work / "var"),
        "LOG_LEVEL": "WARNING",
    })  # fmt: skip
    return env


def manage(env: dict[str, str], *args: str) -> str:
    result = subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True,
                            capture_output=True, text=True)  # fmt: skip
    return result.stdout.strip()


def wait_until_up(base: str, worker_log: Path, timeout: float = 120) -> None:
    """Until the login page answers and the worker has said it is ready."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            page_up = requests.get(f"{base}/accounts/login/", timeout=2).status_code == 200
        except requests.RequestException:
            page_up = False
        if page_up and " ready." in worker_log.read_text(errors="replace"):
            return
        time.sleep(0.2)
    raise RuntimeError("runserver or the worker did not start")


def logged_in(base: str) -> requests.Session:
    session = requests.Session()
    form = session.get(f"{base}/accounts/login/").text
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
    response = session.post(
        f"{base}/accounts/login/",
        data={"username": EMAIL, "password": PASSWORD, "csrfmiddlewaretoken": token},
        headers={"Referer": f"{base}/accounts/login/"},
    )
    response.raise_for_status()
    if "/accounts/login/" in response.url:
        raise RuntimeError("the second client could not log in")
    return session


class Browsing(threading.Thread):
    """Loads the pages one after the other until told to stop; records every answer."""

    def __init__(self, base: str, session: requests.Session):
        super().__init__(daemon=True)
        self.base, self.session = base, session
        self.latencies: list[float] = []
        self.failures: list[str] = []
        self.stopping = threading.Event()

    def run(self) -> None:
        while not self.stopping.is_set():
            for path in PAGES:
                started = time.perf_counter()
                try:
                    response = self.session.get(self.base + path, timeout=60)
                    status = response.status_code
                except requests.RequestException as exc:
                    status, response = None, exc
                self.latencies.append(time.perf_counter() - started)
                if status is None or status >= 400:
                    self.failures.append(f"{path}: {status or response}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=20_000)
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="smk-bench-sqlite-"))
    env = demo_environment(work)
    manage(env, "migrate", "--noinput")
    manage(env, "bootstrap")  # the demo tenant, its admin and the demo data, as `make run`
    key = manage(env, "create_api_key", "--tenant", TENANT, "--user", EMAIL).splitlines()[-1]
    source = work / "leads.csv"
    write_csv(source, args.rows)

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    processes = [
        subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                         stderr=open(work / f"{name}.log", "w"), start_new_session=True)  # noqa: SIM115
        for name, command in (
            ("worker", [PYTHON, "-m", "celery", "-A", "smarketing", "worker",
                        "--loglevel=INFO", "--pool=threads", "--concurrency=2"]),
            ("beat", [PYTHON, "-m", "celery", "-A", "smarketing", "beat", "--loglevel=WARNING",
                      "--schedule", str(work / "beat-schedule")]),
            ("web", [PYTHON, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"]),
        )
    ]  # fmt: skip
    try:
        wait_until_up(base, work / "worker.log")
        browsing = Browsing(base, logged_in(base))
        api = requests.Session()
        api.headers["Authorization"] = f"Bearer {key}"
        browsing.start()
        started = time.perf_counter()
        with source.open("rb") as handle:
            response = api.post(f"{base}/api/v1/imports/",
                                files={"file": ("leads.csv", handle, "text/csv")})  # fmt: skip
        response.raise_for_status()
        import_id = response.json()["id"]
        deadline = started + 600
        while True:
            body = api.get(f"{base}/api/v1/imports/{import_id}/").json()
            if body["status"] in ("done", "failed") or time.perf_counter() > deadline:
                break
            time.sleep(0.2)
        seconds = time.perf_counter() - started
        browsing.stopping.set()
        browsing.join(timeout=120)
    finally:
        for process in processes:
            os.killpg(process.pid, signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
    latencies = sorted(browsing.latencies)
    p95 = latencies[max(0, round(0.95 * len(latencies)) - 1)] if latencies else None
    result = {
        "benchmark": "sqlite_demo",
        "rows": args.rows,
        "import_status": body["status"],
        "import_error": body.get("error") or None,
        "imported": body.get("done"),
        "import_seconds": round(seconds, 2),
        "page_requests": len(latencies),
        "page_p50_seconds": round(statistics.median(latencies), 3) if latencies else None,
        "page_p95_seconds": None if p95 is None else round(p95, 3),
        "page_max_seconds": round(latencies[-1], 3) if latencies else None,
        "failed_requests": len(browsing.failures),
        "failures_sample": browsing.failures[:10],
        "load_average_1min": round(os.getloadavg()[0], 2),
        "cpus": os.cpu_count(),
        "goal_import_seconds": GOAL_IMPORT_SECONDS,
        "goal_page_p95_seconds": GOAL_PAGE_P95_SECONDS,
        "meets_goals": body["status"] == "done"
        and seconds <= GOAL_IMPORT_SECONDS
        and p95 is not None
        and p95 <= GOAL_PAGE_P95_SECONDS
        and not browsing.failures,
    }
    shutil.rmtree(work, ignore_errors=True)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
