"""What the invitation tests share: reading the link out of the e-mail sent, and the audit trail."""

from __future__ import annotations

import re

from django.core import mail

from smarketing.tenancy.models import AuditEntry
from smarketing.tenancy.scope import tenant_scope

PASSWORD = "a-long-enough-passphrase"
_LINK = re.compile(r"https?://\S+/invite/(\S+)/")


def last_link_token() -> str:
    """The token of the invitation link in the last e-mail sent."""
    return _LINK.search(mail.outbox[-1].body).group(1)


def invitation_entries(tenant, prefix: str = "invitation.") -> list[AuditEntry]:
    with tenant_scope(tenant):
        return list(AuditEntry.objects.filter(action__startswith=prefix).order_by("id"))
