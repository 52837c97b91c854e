"""API authentication: `Authorization: Bearer <key>`. The key decides the tenant."""

from dataclasses import dataclass
from datetime import timedelta

from django.utils import timezone
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed

from smarketing.tenancy import credentials
from smarketing.tenancy.models import KEY_PREFIX, ApiKey
from smarketing.tenancy.roles import INTEGRATION
from smarketing.tenancy.scope import cross_tenant_scope
from smarketing.tenancy.selectors import membership_in

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
        raw_key = parts[1].decode("latin-1")  # pragma: no mutate  (codec names ignore case)
        key_prefix, _, rest = raw_key.partition("_")
        prefix = rest.partition("_")[0]
        if key_prefix != KEY_PREFIX or not prefix:
            raise AuthenticationFailed("This is not a Smarketing API key.")
        token = credentials.current_token()
        found = credentials.kept(prefix, token)
        if found is None:
            found = self._resolve(prefix, raw_key)
            credentials.keep(prefix, token, found)
        api_key, api_key.member_role = found
        # The secret is checked on every request, kept answer or not.
        if not api_key.matches(raw_key):
            raise AuthenticationFailed("Invalid or revoked API key.")
        if self._touch(api_key):
            credentials.keep(prefix, token, (api_key, api_key.member_role))
        principal = api_key.user if api_key.user is not None else IntegrationPrincipal(api_key)
        return principal, api_key

    @staticmethod
    def _resolve(prefix: str, raw_key: str) -> tuple[ApiKey, str | None]:
        """The key with its tenant and user, and the user's role in the tenant (None: no
        longer a member; INTEGRATION for an integration key). Refuses what cannot sign in."""
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
            if api_key.is_integration:
                return api_key, INTEGRATION
            membership = membership_in(user=api_key.user, tenant=api_key.tenant)
            return api_key, membership.role if membership is not None else None

    def authenticate_header(self, request) -> str:
        return 'Bearer realm="api"'

    @staticmethod
    def _touch(api_key: ApiKey) -> bool:
        """Record the use, at most once a minute; returns whether it wrote."""
        now = timezone.now()
        if api_key.last_used_at and now - api_key.last_used_at < LAST_USED_RESOLUTION:
            # Keeping the unchanged answer again would change nothing: an equivalent mutant.
            return False  # pragma: no mutate
        with cross_tenant_scope():
            ApiKey.all_tenants.filter(pk=api_key.pk).update(last_used_at=now)
        api_key.last_used_at = now
        return True
