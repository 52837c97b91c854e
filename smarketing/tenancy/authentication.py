"""API authentication: `Authorization: Bearer <key>`. The key decides the tenant."""

from dataclasses import dataclass
from datetime import timedelta

from django.utils import timezone
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed

from smarketing.tenancy.models import KEY_PREFIX, ApiKey
from smarketing.tenancy.scope import cross_tenant_scope

# Recording every use would turn each read into a write; once a minute is enough to audit.
LAST_USED_RESOLUTION = timedelta(minutes=1)


@dataclass(frozen=True)
class IntegrationPrincipal:
    """The `request.user` of an integration key: authenticated, but no person and no member."""

    api_key: ApiKey
    is_authenticated: bool = True
    is_active: bool = True
    is_staff: bool = False
    is_superuser: bool = False
    pk: None = None
    id: None = None

    @property
    def email(self) -> str:
        return f"integration:{self.api_key.name}"

    def __str__(self) -> str:
        return self.email


class ApiKeyAuthentication(BaseAuthentication):
    keyword = b"bearer"

    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != self.keyword:
            return None
        if len(parts) != 2:
            raise AuthenticationFailed("Send the header as 'Authorization: Bearer <api key>'.")
        raw_key = parts[1].decode("latin-1")
        key_prefix, _, rest = raw_key.partition("_")
        prefix = rest.partition("_")[0]
        if key_prefix != KEY_PREFIX or not prefix:
            raise AuthenticationFailed("This is not a Smarketing API key.")
        with cross_tenant_scope():
            api_key = (
                ApiKey.all_tenants.select_related("tenant", "user")
                .filter(prefix=prefix, revoked_at__isnull=True)
                .first()
            )
            if api_key is None or not api_key.matches(raw_key):
                raise AuthenticationFailed("Invalid or revoked API key.")
            if api_key.user is not None and not api_key.user.is_active:
                raise AuthenticationFailed("The user of this API key is inactive.")
            self._touch(api_key)
        principal = api_key.user if api_key.user is not None else IntegrationPrincipal(api_key)
        return principal, api_key

    def authenticate_header(self, request) -> str:
        return 'Bearer realm="api"'

    @staticmethod
    def _touch(api_key: ApiKey) -> None:
        now = timezone.now()
        if api_key.last_used_at and now - api_key.last_used_at < LAST_USED_RESOLUTION:
            return
        ApiKey.all_tenants.filter(pk=api_key.pk).update(last_used_at=now)
