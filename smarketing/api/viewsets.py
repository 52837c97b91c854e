"""The base of every tenant API endpoint: the tenant is resolved once and scopes everything.

The tenant comes from the API key, or for a browser session from the tenant the user last
opened (or the `X-Tenant` header), checked against the user's membership. Subclasses write
`get_queryset()` as usual; `filter_queryset` adds the tenant filter again afterwards, so a
subclass cannot drop it by accident.
"""

from contextlib import ExitStack

from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.http import Http404
from rest_framework import exceptions, viewsets
from rest_framework.permissions import SAFE_METHODS
from rest_framework.response import Response
from rest_framework.views import APIView

from smarketing.api.idempotency import (
    HEADER,
    caller_scope,
    fingerprint,
    idempotency_begin,
    idempotency_finish,
)
from smarketing.api.request_schema import body_errors, body_validator
from smarketing.tenancy.models import ApiKey, Tenant
from smarketing.tenancy.roles import INTEGRATION, has_capability
from smarketing.tenancy.scope import tenant_scope
from smarketing.tenancy.selectors import membership_in, tenant_by_slug

SESSION_TENANT_KEY = "current_tenant"


def resolve_api_tenant(request) -> tuple[Tenant, str]:
    """Return (tenant, role) for an authenticated API request."""
    if isinstance(request.auth, ApiKey):
        api_key = request.auth
        if api_key.is_integration:
            return api_key.tenant, INTEGRATION
        # Resolved with the key by `ApiKeyAuthentication` (kept per worker, see credentials).
        if hasattr(api_key, "member_role"):
            role = api_key.member_role
        else:
            membership = membership_in(user=api_key.user, tenant=api_key.tenant)
            role = membership.role if membership is not None else None
        if role is None:
            raise exceptions.AuthenticationFailed("The user of this API key left the tenant.")
        return api_key.tenant, role
    slug = request.headers.get("X-Tenant") or request.session.get(SESSION_TENANT_KEY)
    tenant = tenant_by_slug(slug=slug) if slug else None
    membership = membership_in(user=request.user, tenant=tenant) if tenant else None
    if membership is None:
        raise Http404("No tenant: open a tenant's page first, or send the X-Tenant header.")
    return tenant, membership.role


class TenantScopedAPIMixin:
    """Resolves `request.tenant` and `request.role`, checks the capability, enters the scope.

    `capabilities` maps an action (or HTTP method for plain views) to a capability of
    `smarketing.tenancy.roles`. Safe methods default to "read"; unsafe ones must be declared.
    """

    capabilities: dict[str, str] = {}
    _idempotency = None

    def dispatch(self, request, *args, **kwargs):
        with ExitStack() as stack:
            self._scope_stack = stack
            if request.method == "POST" and HEADER in request.headers:
                # The key's record and the work commit together, or not at all.
                stack.enter_context(transaction.atomic())
            return super().dispatch(request, *args, **kwargs)

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if not self.offers_method(request.method):
            # Before the capability check: an undeclared method (PUT, TRACE, QUERY...) has no
            # capability, and it is the client's mistake, answered 405 with `Allow`.
            raise exceptions.MethodNotAllowed(request.method)
        tenant, role = resolve_api_tenant(request)
        request.tenant, request.role = tenant, role
        self._scope_stack.enter_context(tenant_scope(tenant))
        capability = self.required_capability(request)
        if not has_capability(role, capability):
            if self.kwargs.get("pk") is not None and hasattr(self, "get_object"):
                self.get_object()  # another tenant's object is a 404, never a 403
            raise exceptions.PermissionDenied(f"Your role ({role}) may not do this.")
        self.check_body(request)
        if request.method == "POST" and HEADER in request.headers:
            begun = idempotency_begin(
                tenant=tenant,
                scope=caller_scope(request),
                key=request.headers[HEADER],
                request_hash=fingerprint(request),
            )
            if isinstance(begun, Response):
                # A replay: the first answer stands in for this request's handler, so
                # nothing runs twice and nothing is stored again.
                setattr(self, request.method.lower(), lambda *args, **kwargs: begun)
            else:
                self._idempotency = begun

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if self._idempotency is not None:
            idempotency_finish(record=self._idempotency, response=response)
        return response

    def check_body(self, request) -> None:
        """A JSON body must match the operation's request schema (see `request_schema`)."""
        if request.method not in {"POST", "PUT", "PATCH"} or not request.content_type.startswith(
            "application/json"
        ):
            return
        validator = body_validator(request.path, request.method)
        if validator is None:
            return
        errors = body_errors(validator, request.data)
        if errors:
            if self.kwargs.get("pk") is not None and hasattr(self, "get_object"):
                self.get_object()  # another tenant's object is a 404 whatever the body
            raise exceptions.ValidationError(errors)

    def offers_method(self, method: str) -> bool:
        """Whether a handler exists for `method`, as DRF's dispatch will look it up."""
        name = method.lower()
        return name in self.http_method_names and callable(getattr(self, name, None))

    def required_capability(self, request) -> str:
        action = getattr(self, "action", None) or request.method.lower()
        if action in self.capabilities:
            return self.capabilities[action]
        if request.method in SAFE_METHODS:
            return "read"
        raise ImproperlyConfigured(
            f"{type(self).__name__} must declare the capability of {action!r} in `capabilities`."
        )


class TenantViewSet(TenantScopedAPIMixin, viewsets.GenericViewSet):
    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        return queryset.filter(tenant_id=self.request.tenant.pk)


class TenantAPIView(TenantScopedAPIMixin, APIView):
    pass
