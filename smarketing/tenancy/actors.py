"""Who did it: the actor that services record in audit rows."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import Any

from smarketing.tenancy.roles import INTEGRATION


@dataclass(frozen=True)
class Actor:
    """A member acting with a role, an integration key, or the system itself."""

    user: Any | None
    role: str
    label: str = ""
    # The address the request came from, for the audit log; None for work without a request.
    ip: str | None = None

    @classmethod
    def system(cls) -> Actor:
        return cls(user=None, role="system", label="system")

    @classmethod
    def member(cls, user: Any, role: str) -> Actor:
        return cls(user=user, role=role, label=user.email)

    @classmethod
    def from_request(cls, request: Any) -> Actor:
        """The caller of a page or API request, with the address it came from."""
        ip = client_ip(request)
        if request.role == INTEGRATION:
            return cls(user=None, role=INTEGRATION, label=str(request.user), ip=ip)
        return cls(user=request.user, role=request.role, label=request.user.email, ip=ip)

    @property
    def user_id(self) -> int | None:
        return self.user.pk if self.user is not None else None

    @property
    def is_system(self) -> bool:
        return self.role == "system"


def client_ip(request: Any) -> str | None:
    """The client's address for the audit log: the one the login lock-out counts by
    (`smarketing.accounts.lockout.client_ip`, proxy-aware), or None when it is no IP."""
    from smarketing.accounts.lockout import client_ip as lockout_client_ip

    address = lockout_client_ip(request)
    try:
        return str(ipaddress.ip_address((address or "").strip()))
    except ValueError:
        return None  # a unix socket or an odd proxy: no address rather than a broken row
