from __future__ import annotations

from leads.webforms.models import WebForm
from smarketing.tenancy.scope import cross_tenant_scope


def webform_by_key(*, key: str) -> WebForm | None:
    """The form behind a public key, whatever its tenant: the key is the only credential a
    public submission carries. The caller then works inside the form's tenant scope."""
    if not key or len(key) > 64:
        return None
    with cross_tenant_scope():
        return WebForm.all_tenants.select_related("tenant").filter(key=key).first()
