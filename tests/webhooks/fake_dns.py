"""A stand-in DNS for the webhook address tests: names resolve as a test says, and nothing else
changes (IP literals and localhost still resolve for real)."""

from __future__ import annotations

import socket

PUBLIC = "93.184.216.34"  # a public address; tests never connect to it (test_ssrf stops them)


class FakeDNS:
    """Answers `getaddrinfo` for the names in `answers`; `asked` logs the names looked up."""

    def __init__(self) -> None:
        self._real = socket.getaddrinfo
        self.answers: dict[str, list[list[str]]] = {}
        self.asked: list[str] = []

    def getaddrinfo(self, host, port, *args, **kwargs):
        if isinstance(host, bytes):
            host = host.decode()
        if host not in self.answers:
            return self._real(host, port, *args, **kwargs)
        self.asked.append(host)
        turns = self.answers[host]
        addresses = turns.pop(0) if len(turns) > 1 else turns[0]
        return [
            (
                socket.AF_INET6 if ":" in address else socket.AF_INET,
                socket.SOCK_STREAM,
                6,
                "",
                (address, int(port or 0)),
            )
            for address in addresses
        ]
