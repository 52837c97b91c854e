from smarketing.tenancy.selectors import memberships_of


def tenancy(request) -> dict:
    tenant = getattr(request, "tenant", None)
    if tenant is None or not request.user.is_authenticated:
        return {}
    return {
        "tenant": tenant,
        "role": request.role,  # resolved with the tenant
        "my_memberships": memberships_of(user=request.user),
    }
