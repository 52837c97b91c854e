"""Who did it: the actor that services record in audit rows."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from smarketing.tenancy.roles import INTEGRATION


@dataclass(frozen=True)
class Actor:
    """A member acting with a role, an integration key, or the system itself."""

    user: Any | None
    role: str
    label: str = ""

    @classmethod
    def system(cls) -> Actor:
        return cls(user=None, role="system", label="system")

    @classmethod
    def member(cls, user: Any, role: str) -> Actor:
        return cls(user=user, role=role, label=user.email)

    @classmethod
    def from_request(cls, request: Any) -> Actor:
        if request.role == INTEGRATION:
            return cls(user=None, role=INTEGRATION, label=str(request.user))
        return cls.member(request.user, request.role)

    @property
    def user_id(self) -> int | None:
        return self.user.pk if self.user is not None else None

    @property
    def is_system(self) -> bool:
        return self.role == "system"
