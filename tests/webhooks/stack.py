"""The real stack for fault tests: our own Redis, a gunicorn web server and a Celery worker
(with beat) as subprocesses, all on 127.0.0.1, sharing the test database."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import suppress
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, *, up: bool = True, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            if up:
                return
        except OSError:
            if not up:
                return
        time.sleep(0.1)
    raise TimeoutError(f"port {port} did not come {'up' if up else 'down'} in {timeout}s")


class RedisServer:
    """A Redis of this test alone, so stopping it disturbs nobody else."""

    def __init__(self, workdir: str):
        self.port = free_port()
        self.workdir = workdir
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                self.workdir,
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for_port(self.port)

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=20)
            self.process = None
        wait_for_port(self.port, up=False)


class Stack:
    """Redis, gunicorn and a Celery worker with embedded beat, against `database_url`."""

    def __init__(self, database_url: str):
        self.tmp = tempfile.TemporaryDirectory(prefix="smk-stack-")
        self.redis = RedisServer(self.tmp.name)
        self.web_port = free_port()
        self.database_url = database_url
        self.processes: list[subprocess.Popen] = []

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.web_port}"

    def environment(self) -> dict[str, str]:
        env = {
            **os.environ,
            "DATABASE_URL": self.database_url,
            "REDIS_URL": self.redis.url,
            "DJANGO_SETTINGS_MODULE": "smarketing.settings",
            "DEBUG": "0",
            "SECRET_KEY": "fault-test-secret-key-0123456789abcdef",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "SECURE_SSL_REDIRECT": "0",
            "WEBHOOKS_ALLOW_PRIVATE": "1",
            "API_RATE_PER_KEY": "1000000/min",
            "API_RATE_PER_TENANT": "1000000/min",
            "LOG_LEVEL": "WARNING",
            "CONN_MAX_AGE": "0",
        }
        for name in ("SMARKETING_TESTING", "CELERY_TASK_ALWAYS_EAGER"):
            env.pop(name, None)
        return env

    def start(self) -> Stack:
        self.redis.start()
        env = self.environment()
        log = open(Path(self.tmp.name) / "stack.log", "ab")  # noqa: SIM115  (closed with tmp)
        self.processes.append(
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "celery",
                    "-A",
                    "smarketing",
                    "worker",
                    "-B",
                    "--scheduler",
                    "celery.beat:PersistentScheduler",
                    "-s",
                    str(Path(self.tmp.name) / "beat-schedule"),
                    "--concurrency",
                    "2",
                    "--loglevel",
                    "WARNING",
                    "--without-gossip",
                    "--without-mingle",
                ],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=log,
            )
        )
        self.processes.append(
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "gunicorn",
                    "smarketing.wsgi:application",
                    "--bind",
                    f"127.0.0.1:{self.web_port}",
                    "--workers",
                    "3",
                    "--log-level",
                    "warning",
                ],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=log,
            )
        )
        wait_for_port(self.web_port, timeout=60)
        return self

    def log_tail(self, chars: int = 3000) -> str:
        with suppress(OSError):
            return (Path(self.tmp.name) / "stack.log").read_text(errors="replace")[-chars:]
        return ""

    def stop(self) -> None:
        for process in reversed(self.processes):
            process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)
        self.processes.clear()
        with suppress(Exception):
            self.redis.stop()
        self.tmp.cleanup()


def url_for_database(base_url: str, name: str) -> str:
    parts = urlsplit(base_url)
    return urlunsplit(parts._replace(path=f"/{name}"))
