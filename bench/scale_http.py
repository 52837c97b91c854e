"""The scale benchmark's measures over HTTP: logged-in sessions, timed pages, the memory of
the processes serving each database; see `bench/scale.py`."""

from __future__ import annotations

import re
import statistics
import time
from pathlib import Path

from _stack import database_url
from scale_data import MANAGER, PASSWORD, REP

PAGES = {
    "queue_page": ("rep", "/t/bench/queue/"),
    "lead_list_page_mql": ("manager", "/t/bench/leads/?stage=mql"),
    "lead_list_api_mql": ("key", "/api/v1/leads/?stage=mql&page_size=50"),
    "compliance_api_30_days": ("key", "/api/v1/sla/compliance/"),
}


# --- measuring over HTTP -----------------------------------------------------------------------


def logged_in(base: str, email: str):
    import requests

    # Deployment sits behind a TLS proxy: the proxy's header makes the request secure,
    # and the client sends the (Secure) cookies over the loopback's plain HTTP anyway.
    session = requests.Session()
    session.headers["X-Forwarded-Proto"] = "https"
    form = session.get(f"{base}/accounts/login/", timeout=60).text
    _insecure(session)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
    response = session.post(
        f"{base}/accounts/login/",
        data={"username": email, "password": PASSWORD, "csrfmiddlewaretoken": token},
        headers={"Referer": f"https://{base.split('://')[1]}/accounts/login/"},
        allow_redirects=False, timeout=60,
    )  # fmt: skip
    _insecure(session)
    if response.status_code != 302 or "sessionid" not in session.cookies:
        raise RuntimeError(f"{email} could not log in")
    return session


def _insecure(session) -> None:
    for cookie in session.cookies:
        cookie.secure = False


def timed(session, url: str) -> float:
    started = time.perf_counter()
    response = session.get(url, timeout=120, allow_redirects=False)
    elapsed = time.perf_counter() - started
    _insecure(session)  # the session's expiry is renewed with every page
    if response.status_code != 200:
        raise RuntimeError(
            f"GET {url} answered {response.status_code}: "
            f"{response.headers.get('Location')} {response.text[:300]}"
        )
    return elapsed * 1000


class Server:
    """One database's gunicorn and the clients measuring it."""

    def __init__(self, base: str, key: str):
        import requests

        self.base = base
        api = requests.Session()
        api.headers["Authorization"] = f"Bearer {key}"
        self.sessions = {"rep": logged_in(base, REP), "manager": logged_in(base, MANAGER),
                         "key": api}  # fmt: skip
        self.times: dict[str, list[float]] = {name: [] for name in PAGES}
        for who, path in PAGES.values():
            for _ in range(3):  # every worker loads its code, caches and pages once
                timed(self.sessions[who], base + path)

    def round(self, requests: int) -> None:
        for name, (who, path) in PAGES.items():
            self.times[name] += [timed(self.sessions[who], self.base + path)
                                 for _ in range(requests)]  # fmt: skip


def _peak_rss_mb(pid: int) -> tuple[int, int] | None:
    """(peak, current) resident set of a process in MB, from /proc (None if it is gone)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    kb = {k: int(v.split()[0]) for k, v in re.findall(r"^(VmHWM|VmRSS):\s+(.+)$", status, re.M)}
    return round(kb.get("VmHWM", 0) / 1024), round(kb.get("VmRSS", 0) / 1024)


def _children(parent: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                status = (entry / "status").read_text()
            except OSError:
                continue
            if re.search(rf"^PPid:\s+{parent}$", status, re.M):
                found.append(int(entry.name))
    return sorted(found)


_MASTERS: dict[str, int] = {}  # database name: its gunicorn master's pid


def memory(name: str) -> dict:
    """Peak RSS of the gunicorn processes serving database `name` and of the PostgreSQL backends
    connected to database `name` (theirs includes the shared buffers they touched)."""
    import psycopg2

    master = _MASTERS[name]
    web = [_peak_rss_mb(pid) for pid in [master, *_children(master)]]
    connection = psycopg2.connect(database_url(name))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            [name],
        )
        backends = [_peak_rss_mb(row[0]) for row in cursor.fetchall()]
        cursor.execute("SHOW shared_buffers")
        shared_buffers = cursor.fetchone()[0]
    connection.close()
    web = [figures for figures in web if figures]
    backends = [figures for figures in backends if figures]
    return {
        "gunicorn_processes": len(web),
        "gunicorn_peak_rss_mb_max": max((peak for peak, _ in web), default=None),
        "postgres_backends": len(backends),
        "postgres_backend_peak_rss_mb_max": max((peak for peak, _ in backends), default=None),
        "postgres_shared_buffers": shared_buffers,
    }


def summary(times: list[float]) -> dict:
    ordered = sorted(times)
    return {"median": round(statistics.median(ordered), 2),
            "p90": round(ordered[int(0.9 * (len(ordered) - 1))], 2),
            "min": round(ordered[0], 2), "n": len(ordered)}  # fmt: skip
