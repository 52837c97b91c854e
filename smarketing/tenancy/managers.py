from django.db import models

from smarketing.tenancy.scope import require_tenant_id


class TenantManager(models.Manager):
    """The default manager of tenant data: scoped to the current tenant, or an error.

    Related managers and prefetches derive from it, so they are scoped too.
    """

    def get_queryset(self) -> models.QuerySet:
        return super().get_queryset().filter(tenant_id=require_tenant_id())

    def none(self) -> models.QuerySet:
        # An empty queryset reads nothing, so it needs no scope (schema generation uses it).
        return super().get_queryset().none()
