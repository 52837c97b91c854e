"""A webhook receiver on loopback for tests, and a signature verifier written from the
contract alone (not from our signing code), as an integration would write it."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def verify_signature(
    header: str, body: bytes, secret: str, *, now: int | None = None, tolerance: int = 300
) -> bool:
    """True when one `v1=` of `t=<unix>,v1=<hex>[,v1=<hex>]` is HMAC-SHA256("<t>.<body>")."""
    items = [part.split("=", 1) for part in header.split(",") if "=" in part]
    timestamps = [value for key, value in items if key == "t"]
    candidates = [value for key, value in items if key == "v1"]
    if len(timestamps) != 1 or not candidates:
        return False
    if now is not None and abs(now - int(timestamps[0])) > tolerance:
        return False
    expected = hmac.new(
        secret.encode(), timestamps[0].encode() + b"." + body, hashlib.sha256
    ).hexdigest()
    return any(hmac.compare_digest(expected, candidate) for candidate in candidates)


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes

    @property
    def payload(self) -> dict:
        return json.loads(self.body)


@dataclass
class Receiver:
    """Records every POST; answers `status` (e.g. 500 while a test wants failures)."""

    status: int = 200
    # The body and extra headers of the answer (None: a short default by status).
    reply: bytes | None = None
    headers: dict[str, str] = field(default_factory=dict)
    received: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hooks"

    def start(self) -> Receiver:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                with receiver.lock:
                    receiver.received.append(Received(dict(self.headers.items()), body))
                    status, reply = receiver.status, receiver.reply
                if reply is None:
                    reply = b'{"ok": true}' if status < 300 else b"receiver is down"
                self.send_response(status)
                for name, value in receiver.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()

    def ids(self) -> list[str]:
        with self.lock:
            return [r.payload["id"] for r in self.received]
